// The load generator, in its own process so its CPU and event loop are not the IOC's.
// Parent → { cmd: 'step', rate, seconds, prefix } → { published, acked, seconds, latenciesMs }.
import { io } from 'socket.io-client';
import type {
  ClientToServerEvents,
  Delta,
  ServerToClientEvents,
  TrafficItem,
} from '../server/contracts/live.ts';
import { connectLoad, type LoadConnection } from './mqttLoad.ts';

interface Init {
  mqttHost: string;
  mqttPort: number;
  httpUrl: string;
  segments: string[];
  probeSegment: string;
  connections: number;
}
interface Step {
  cmd: 'step';
  rate: number;
  seconds: number;
  prefix: string;
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
      connectLoad(i.mqttHost, i.mqttPort, `bench-load-${process.pid}-${k}`),
    ),
  );
  const s = io(i.httpUrl, { transports: ['websocket'] }) as unknown as import('socket.io-client').Socket<
    ServerToClientEvents,
    ClientToServerEvents
  >;
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

async function step(st: Step) {
  latencies = [];
  probeSent.clear();
  const { segments, probeSegment } = init;
  const total = Math.round(st.rate * st.seconds);
  const t0 = Date.now();
  let sent = 0;
  let n = 0;
  let lastProbe = 0;
  let probes = 0;
  const ackedBefore = conns.reduce((a, c) => a + c.acked(), 0);
  while (sent < total) {
    const now = Date.now();
    if (now - lastProbe >= PROBE_EVERY_MS) {
      lastProbe = now;
      const ts = now;
      probeSent.set(ts, now);
      probes++;
      conns[0].publish(
        `ioc/traffic/${probeSegment}`,
        `{"ts":${ts},"speedKmh":${(ts % 50) + 5},"id":"${st.prefix}-probe-${ts}"}`,
      );
    }
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * st.rate)) - sent;
    for (let k = 0; k < due; k++) {
      const c = conns[n % conns.length];
      if (c.inflight() > MAX_INFLIGHT_PER_CONN) break;
      const seg = segments[n % segments.length];
      c.publish(
        `ioc/traffic/${seg}`,
        `{"ts":${now},"speedKmh":${(n % 70) + 3},"volume":${n % 40},"id":"${st.prefix}-${n}"}`,
      );
      n++;
      sent++;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const sendSeconds = (Date.now() - t0) / 1000;
  const deadline = Date.now() + 30_000;
  while (conns.some((c) => c.inflight() > 0) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  // give the last probes time to come back
  await new Promise((r) => setTimeout(r, 1000));
  const acked = conns.reduce((a, c) => a + c.acked(), 0) - ackedBefore;
  return { published: sent + probes, acked, sendSeconds, latenciesMs: latencies, probesLost: probeSent.size };
}

process.on('message', async (m: { cmd: 'init' | 'step' | 'exit' }) => {
  try {
    if (m.cmd === 'init') {
      await setup(m as unknown as Init);
      process.send?.({ ok: true });
    } else if (m.cmd === 'step') {
      process.send?.({ ok: true, ...(await step(m as Step)) });
    } else if (m.cmd === 'exit') {
      await Promise.all(conns.map((c) => c.end()));
      process.exit(0);
    }
  } catch (e) {
    process.send?.({ ok: false, error: String(e) });
  }
});
