import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import { generate, type Packet, parser } from 'mqtt-packet';

/**
 * MQTT 5 devices on the embedded broker. aedes speaks MQTT 3.1.1 only; a device that connects with
 * MQTT 5 (as it may to Mosquitto) gets a translator between its socket and aedes: each packet it sends
 * is written again as MQTT 3.1.1 for aedes, each packet aedes answers is written again as MQTT 5 for
 * it. MQTT 3.1.1 connections are handed to aedes untouched (nothing on their path changes).
 *
 * What MQTT 5 adds is answered as Mosquitto answers a device under the generated ACL where it matters
 * to a device (the CONNACK's reason codes, PUBACK 0x87 for a publish outside its topics, SUBACK with
 * the granted QoS); properties are dropped (user properties, message expiry, content type: ingest
 * reads the payload only); topic aliases are not offered (CONNACK says a maximum of 0, one sent anyway
 * ends the connection with 0x94, as MQTT 5 asks) and enhanced authentication is refused (0x8C).
 */

/** How long a new connection may take to send its CONNECT's first bytes (aedes' own connectTimeout). */
const CONNECT_TIMEOUT_MS = 30_000;

/** MQTT 3.1.1 CONNACK return code → MQTT 5 reason code. */
const CONNACK_REASON: Record<number, number> = {
  0: 0x00,
  1: 0x84, // unsupported protocol version
  2: 0x85, // client identifier not valid
  3: 0x88, // server unavailable
  4: 0x86, // bad user name or password
  5: 0x87, // not authorized
};

/** MQTT 3.1.1 SUBACK 0x80 (failure) → MQTT 5 0x80 (unspecified error); 0–2 are the granted QoS in both. */
const subackReason = (g: number) => (g === 0x80 ? 0x80 : g);

/** The stream aedes reads and writes for one MQTT 5 device (a Duplex in place of its socket). */
export interface Mqtt5Stream extends Duplex {
  /** the device's address, as on a socket (the audit log's ip) */
  remoteAddress?: string;
  /** marks a QoS 1 or 2 publish of this connection as refused: its PUBACK (PUBREC) then says 0x87, not authorized */
  refuse(messageId: number): void;
}

/** Is this stream an MQTT 5 device's (translated) connection? */
export const isMqtt5Stream = (s: unknown): s is Mqtt5Stream =>
  s instanceof Duplex && typeof (s as Partial<Mqtt5Stream>).refuse === 'function';

/**
 * Reads a new connection's CONNECT far enough to know its protocol level, then hands aedes the
 * socket itself (3.1, 3.1.1, or anything unreadable: aedes answers it) or an MQTT 5 translator.
 */
export function routeByProtocol(
  socket: net.Socket,
  handle: (stream: Duplex) => void,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): void {
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = head.length ? Buffer.concat([head, chunk]) : chunk;
    const level = protocolLevel(head);
    if (level === undefined) {
      // a CONNECT's level is within its first 14 bytes; a client sending more without one is aedes' to refuse
      if (head.length < 64) return;
    }
    socket.removeListener('data', onData);
    socket.removeListener('error', onEarlyError);
    socket.removeListener('timeout', onEarlyError);
    socket.setTimeout(0);
    socket.pause();
    if (level === 5) return void handle(mqtt5Stream(socket, head));
    socket.unshift(head);
    handle(socket);
  };
  const onEarlyError = () => socket.destroy();
  socket.on('error', onEarlyError);
  // a connection that never sends its CONNECT is closed, as aedes closes one it was handed (30 s)
  socket.setTimeout(connectTimeoutMs);
  socket.on('timeout', onEarlyError);
  socket.on('data', onData);
}

/** The protocol level byte of a CONNECT at the start of `b`; undefined while it has not all arrived. */
export function protocolLevel(b: Buffer): number | undefined {
  if (b.length < 2) return undefined;
  if (b[0] >> 4 !== 1) return -1; // not a CONNECT: aedes refuses it
  let i = 1;
  // remaining length: 1–4 bytes, the high bit says another follows
  while (i < b.length && i <= 4 && b[i] & 0x80) i++;
  if (i >= b.length) return undefined;
  i++;
  if (b.length < i + 2) return undefined;
  const nameLen = b.readUInt16BE(i);
  if (nameLen > 6) return -1;
  const at = i + 2 + nameLen;
  return at < b.length ? b[at] : undefined;
}

/** The translator for one MQTT 5 connection; `head` is what was read of the socket already. */
function mqtt5Stream(socket: net.Socket, head: Buffer): Mqtt5Stream {
  const fromDevice = parser({ protocolVersion: 5 });
  const fromAedes = parser({ protocolVersion: 4 });
  const refused = new Set<number>();
  // an UNSUBACK names no topics in 3.1.1; MQTT 5 answers one reason code per topic
  const unsubscribed = new Map<number, number>();
  let assignedId: string | undefined;
  let connected = false;

  const toDevice = (p: Record<string, unknown>) => {
    if (socket.destroyed) return true;
    return socket.write(generate(p as unknown as Packet, { protocolVersion: 5 }));
  };
  /** An MQTT 5 DISCONNECT with a reason, then the end of the connection. */
  const fail = (reasonCode: number) => {
    if (connected) toDevice({ cmd: 'disconnect', reasonCode });
    else toDevice({ cmd: 'connack', reasonCode, sessionPresent: false });
    socket.end();
    inner.destroy();
  };

  const inner = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, done) {
      fromAedes.parse(chunk);
      // the device reads slower than aedes writes: aedes waits, as it would on the socket
      if (socket.writableNeedDrain) socket.once('drain', () => done());
      else done();
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(err, done) {
      if (!socket.destroyed) socket.destroy();
      done(err);
    },
  }) as Mqtt5Stream;
  inner.remoteAddress = socket.remoteAddress;
  inner.refuse = (messageId) => refused.add(messageId);

  const toAedes = (p: Record<string, unknown>) => {
    if (!inner.push(generate(p as unknown as Packet, { protocolVersion: 4 }))) socket.pause();
  };

  fromDevice.on('packet', (raw: Packet) => {
    const p = raw as unknown as Record<string, unknown> & { cmd: string };
    const props = (p.properties ?? {}) as Record<string, unknown>;
    switch (p.cmd) {
      case 'connect': {
        if (props.authenticationMethod !== undefined) return fail(0x8c); // bad authentication method
        // MQTT 5 allows a password without a user name; 3.1.1 (and Mosquitto's password file) does not
        if (p.username === undefined && p.password !== undefined) return fail(0x86);
        let clientId = String(p.clientId ?? '');
        if (clientId === '') {
          assignedId = `ioc5-${randomUUID()}`;
          clientId = assignedId;
        }
        const will = p.will as Record<string, unknown> | undefined;
        return toAedes({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId,
          // MQTT 5's clean start with a session that outlives the connection is 3.1.1's persistent session
          clean: p.clean === true && !(Number(props.sessionExpiryInterval ?? 0) > 0),
          keepalive: p.keepalive,
          username: p.username,
          password: p.password,
          will: will && { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain },
        });
      }
      case 'publish':
        if (props.topicAlias !== undefined) return fail(0x94); // topic alias invalid: none is offered
        return toAedes({
          cmd: 'publish',
          topic: p.topic,
          payload: p.payload,
          qos: p.qos,
          retain: p.retain,
          dup: p.dup,
          messageId: p.messageId,
        });
      case 'puback':
      case 'pubrec':
      case 'pubrel':
      case 'pubcomp':
        return toAedes({ cmd: p.cmd, messageId: p.messageId });
      case 'subscribe':
        return toAedes({
          cmd: 'subscribe',
          messageId: p.messageId,
          subscriptions: (p.subscriptions as Array<{ topic: string; qos: number }>).map((s) => ({
            topic: s.topic,
            qos: s.qos,
          })),
        });
      case 'unsubscribe': {
        const topics = p.unsubscriptions as string[];
        unsubscribed.set(p.messageId as number, topics.length);
        return toAedes({ cmd: 'unsubscribe', messageId: p.messageId, unsubscriptions: topics });
      }
      case 'pingreq':
        return toAedes({ cmd: 'pingreq' });
      case 'disconnect':
        // 0x04, "disconnect with will message": a 3.1.1 DISCONNECT would drop the will; an end keeps it
        if (p.reasonCode === 0x04) return void inner.push(null);
        return toAedes({ cmd: 'disconnect' });
      default:
        // AUTH: no enhanced authentication here
        return fail(0x82); // protocol error
    }
  });
  fromDevice.on('error', () => fail(0x81)); // malformed packet

  fromAedes.on('packet', (raw: Packet) => {
    const p = raw as unknown as Record<string, unknown> & { cmd: string };
    switch (p.cmd) {
      case 'connack': {
        const reasonCode = CONNACK_REASON[p.returnCode as number] ?? 0x80;
        connected = reasonCode === 0;
        return toDevice({
          cmd: 'connack',
          sessionPresent: p.sessionPresent,
          reasonCode,
          properties: {
            topicAliasMaximum: 0,
            ...(assignedId && connected ? { assignedClientIdentifier: assignedId } : {}),
          },
        });
      }
      case 'puback':
      case 'pubrec': {
        const id = p.messageId as number;
        const no = refused.delete(id);
        return toDevice({ cmd: p.cmd, messageId: id, ...(no ? { reasonCode: 0x87 } : {}) });
      }
      case 'suback':
        return toDevice({
          cmd: 'suback',
          messageId: p.messageId,
          granted: (p.granted as number[]).map(subackReason),
        });
      case 'unsuback': {
        const id = p.messageId as number;
        const n = unsubscribed.get(id) ?? 1;
        unsubscribed.delete(id);
        return toDevice({ cmd: 'unsuback', messageId: id, granted: new Array(n).fill(0) });
      }
      case 'publish':
        return toDevice({
          cmd: 'publish',
          topic: p.topic,
          payload: p.payload,
          qos: p.qos,
          retain: p.retain,
          dup: p.dup,
          messageId: p.messageId,
        });
      default:
        // pubrel, pubcomp, pingresp: the same packet in MQTT 5 (reason code 0, no properties)
        return toDevice(p);
    }
  });
  fromAedes.on('error', () => inner.destroy());

  socket.on('data', (chunk: Buffer) => fromDevice.parse(chunk));
  socket.on('end', () => inner.push(null));
  socket.on('error', (err) => inner.destroy(err));
  socket.on('close', () => inner.destroy());
  fromDevice.parse(head);
  return inner;
}
