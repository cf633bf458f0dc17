// A lean MQTT 3.1.1 QoS 1 publisher for load: pre-encoded packets on a raw socket, so the load
// generator spends its CPU on bytes, not on per-message objects, and the benchmark measures the IOC.
import net from 'node:net';

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** Encodes a QoS 1 PUBLISH. */
export function publishPacket(topic: string, payload: Buffer | string, packetId: number): Buffer {
  const t = str(topic);
  const p = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const rl = t.length + 2 + p.length;
  const head = Buffer.from([0x32, ...varint(rl)]);
  const id = Buffer.from([packetId >> 8, packetId & 0xff]);
  return Buffer.concat([head, t, id, p]);
}

export interface LoadConnection {
  /** queues one message; resolves at once; `inflight()` tells how many wait for PUBACK */
  publish(topic: string, payload: string): void;
  inflight(): number;
  acked(): number;
  /** resolves when fewer than `n` are in flight */
  drainBelow(n: number): Promise<void>;
  end(): Promise<void>;
}

/** Connects a raw MQTT 3.1.1 client (clean session) to host:port, with a username and password when given. */
export function connectLoad(
  host: string,
  port: number,
  clientId: string,
  login: { username?: string; password?: string } = {},
): Promise<LoadConnection> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, noDelay: true });
    let nextId = 1;
    let inflight = 0;
    let acked = 0;
    let waiters: Array<{ n: number; r: () => void }> = [];
    let buf = Buffer.alloc(0);
    let connected = false;
    const cid = str(clientId);
    // connect flags: clean session, + user name (0x80) and password (0x40) when given
    const flags =
      0x02 | (login.username ? 0x80 : 0) | (login.username && login.password !== undefined ? 0x40 : 0);
    const vh = Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 60])]);
    const creds = login.username
      ? [str(login.username), ...(login.password !== undefined ? [str(login.password)] : [])]
      : [];
    const body = Buffer.concat([vh, cid, ...creds]);
    sock.write(Buffer.concat([Buffer.from([0x10, ...varint(body.length)]), body]));
    sock.on('error', (e) => (connected ? undefined : reject(e)));
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let i = 0;
      while (i + 2 <= buf.length) {
        const type = buf[i] >> 4;
        const len = buf[i + 1]; // CONNACK and PUBACK are 2 bytes long
        if (i + 2 + len > buf.length) break;
        if (type === 2) {
          connected = true;
          if (buf[i + 3] !== 0) reject(new Error(`CONNACK refused: ${buf[i + 3]}`));
          else resolve(conn);
        } else if (type === 4) {
          inflight--;
          acked++;
        }
        i += 2 + len;
      }
      buf = buf.subarray(i);
      if (waiters.length) {
        const ready = waiters.filter((w) => inflight < w.n);
        waiters = waiters.filter((w) => inflight >= w.n);
        for (const w of ready) w.r();
      }
    });
    const conn: LoadConnection = {
      publish(topic, payload) {
        const id = nextId;
        nextId = nextId === 65535 ? 1 : nextId + 1;
        inflight++;
        sock.write(publishPacket(topic, payload, id));
      },
      inflight: () => inflight,
      acked: () => acked,
      drainBelow: (n) => (inflight < n ? Promise.resolve() : new Promise((r) => waiters.push({ n, r }))),
      end: () =>
        new Promise((r) => {
          sock.end(Buffer.from([0xe0, 0]), () => r());
        }),
    };
  });
}
