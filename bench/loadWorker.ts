// The load generator, in its own process so its CPU and event loop are not the IOC's.
// Parent → { cmd: 'step', rate, seconds, prefix } → { published, acked, sendSeconds }; the probe process
// answers its step (ended by 'stopProbe') with { published, latenciesMs }.
import { io } from 'socket.io-client';
import type { ClientToServerEvents, Delta, ServerToClientEvents, TrafficItem } from '#contract/live.ts';
import { connectLoad, type LoadConnection } from './mqttLoad.ts';

interface Init {
  /** 'load' publishes the rising load; 'probe' publishes one timed reading every 50 ms and times its delta */
  role: 'load' | 'probe';
  mqttHost: string;
  mqttPort: number;
  /** a device owning the segments, where the broker checks logins (the embedded one does) */
  mqttUsername?: string;
  mqttPassword?: string;
  httpUrl: string;
  /** an operator's session cookie */
  cookie: string;
  segments: string[];
  probeSegment: string;
  connections: number;
}
interface Step {
  cmd: 'step';
  rate: number;
  seconds: number;
  prefix: string;
  /** where the readings go: `ioc/traffic/` (the product's contract) unless told (the reference listens elsewhere) */
  topicPrefix?: string;
}

const MAX_INFLIGHT_PER_CONN = 20_000;
const PROBE_EVERY_MS = 50;

let init: Init;
let conns: LoadConnection[] = [];
const probeSent = new Map<number, number>();
let latencies: number[] = [];

async function setup(i: Init) {
  init = i;
  conns = await Promise.all(
    Array.from({ length: i.connections }, (_, k) =>
      connectLoad(i.mqttHost, i.mqttPort, `bench-load-${process.pid}-${k}`, {
        username: i.mqttUsername,
        password: i.mqttPassword,
      }),
    ),
  );
  const s = io(i.httpUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie: i.cookie },
  }) as unknown as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
  await new Promise<void>((r) => s.on('connect', () => r()));
  await s.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] });
  s.on('delta', (d: Delta) => {
    if (d.layer !== 'traffic') return;
    const now = Date.now();
    for (const it of d.items as TrafficItem[]) {
      if (it.id !== i.probeSegment) continue;
      // a coalesced delta carries only the latest probe: earlier probes it superseded arrived with it
      for (const [ts, sent] of probeSent) {
        if (ts > it.ts) break;
        latencies.push(now - sent);
        probeSent.delete(ts);
      }
    }
  });
}

/** Probe: one reading every 50 ms on the probe segment, until told to stop; returns latencies. */
let probing = false;
async function probe(st: Step) {
  latencies = [];
  probeSent.clear();
  probing = true;
  let probes = 0;
  while (probing) {
    const ts = Date.now();
    probeSent.set(ts, ts);
    probes++;
    conns[0].publish(
      `ioc/traffic/${init.probeSegment}`,
      `{"ts":${ts},"speedKmh":${(ts % 50) + 5},"id":"${st.prefix}-probe-${ts}"}`,
    );
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  while (conns[0].inflight() > 0) await new Promise((r) => setTimeout(r, 10));
  // give the last probes time to come back
  await new Promise((r) => setTimeout(r, 1000));
  return { published: probes, latenciesMs: latencies, probesLost: probeSent.size };
}

async function step(st: Step) {
  const { segments } = init;
  const topicPrefix = st.topicPrefix ?? 'ioc/traffic/';
  const total = Math.round(st.rate * st.seconds);
  const t0 = Date.now();
  let sent = 0;
  const ackedBefore = conns.reduce((a, c) => a + c.acked(), 0);
  while (sent < total) {
    const now = Date.now();
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * st.rate)) - sent;
    for (let k = 0; k < due; k++) {
      const c = conns[sent % conns.length];
      if (c.inflight() > MAX_INFLIGHT_PER_CONN) break;
      const seg = segments[sent % segments.length];
      c.publish(
        `${topicPrefix}${seg}`,
        `{"ts":${now},"speedKmh":${(sent % 70) + 3},"volume":${sent % 40},"id":"${st.prefix}-${sent}"}`,
      );
      sent++;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const deadline = Date.now() + 30_000;
  while (conns.some((c) => c.inflight() > 0) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  // the publishers' pace includes the broker's acks: a broker holding acks (back-pressure) slows it
  const sendSeconds = (Date.now() - t0) / 1000;
  const acked = conns.reduce((a, c) => a + c.acked(), 0) - ackedBefore;
  return { published: sent, acked, sendSeconds };
}

process.on('message', async (m: { cmd: 'init' | 'step' | 'stopProbe' | 'exit' }) => {
  try {
    if (m.cmd === 'init') {
      await setup(m as unknown as Init);
      process.send?.({ ok: true });
    } else if (m.cmd === 'step') {
      process.send?.({
        ok: true,
        ...(init.role === 'probe' ? await probe(m as Step) : await step(m as Step)),
      });
    } else if (m.cmd === 'stopProbe') {
      probing = false;
    } else if (m.cmd === 'exit') {
      await Promise.all(conns.map((c) => c.end()));
      process.exit(0);
    }
  } catch (e) {
    process.send?.({ ok: false, error: String(e) });
  }
});
