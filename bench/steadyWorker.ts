// The steady-load benchmark's helpers (bench/steady.ts), in processes of their own so that their CPU
// and event loops are not the IOC's. Started with STEADY_ROLE:
// - publisher: QoS 1 traffic readings at a fixed rate, paced by a timer, never by the acks;
// - consoles: logged-in Socket.IO clients subscribed as the console is, timing every item of one layer
//   a delta carries (traffic readings; units' positions for bench/units.ts) against the item's `ts`,
//   each (item, ts) once per console, and a poller of /api/health every second.
// Parent → { cmd: 'init', ... } → { ok }; { cmd: 'run', ... } → { ok, ...results } (the consoles answer
// when told { cmd: 'stop' }); { cmd: 'exit' }. Nothing is sent unasked (bench/run.ts's ask()).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Delta, ServerToClientEvents } from '#contract/live.ts';
import { LAYERS } from '#contract/vocab.ts';
import { connectLoad, type LoadConnection } from './mqttLoad.ts';

/** latencies are counted in 1 ms buckets up to this; later ones in the last */
export const HIST_MAX_MS = 120_000;

/** What one second looked like, keyed by the wall-clock second (Math.floor(Date.now() / 1000)). */
export interface PublisherSecond {
  sent: number;
  acked: number;
  inflightMax: number;
}
export interface ConsoleSecond {
  /** readings received (all consoles) */
  n: number;
  maxMs: number;
  over500: number;
  /** that second's latencies in 10 ms buckets (bucket → count), the last one 10 s and more */
  h: Record<number, number>;
}
export interface PublisherResult {
  published: number;
  acked: number;
  /** after publishing stopped and the acks had up to 30 s to come */
  unackedAtEnd: number;
  sendSeconds: number;
  inflightMax: number;
  inflightP99: number;
  /** ticks at which a connection had its 65,535 packet ids in flight and publishing waited */
  heldTicks: number;
  perSecond: Record<number, PublisherSecond>;
}
export interface HealthPoll {
  t: number;
  /** 0: no answer within 5 s, or a connection error */
  status: number;
  ms: number;
}
export interface ConsolesResult {
  /** sparse histogram of publish → console latency: [ms, count] */
  hist: Array<[number, number]>;
  perSecond: Record<number, ConsoleSecond>;
  /** the longest silences between two traffic deltas at the first console: [start ms, length ms] */
  gaps: Array<[number, number]>;
  /** deltas a console saw skipped (seq jumped): it would have had to resync */
  seqGaps: number;
  disconnects: number;
  deltas: number;
  health: HealthPoll[];
  /** items timed by each console: each should have seen every one sent */
  receivedPerConsole: number[];
  /** this worker's own event loop while measuring: a busy client would add its lag to every figure */
  loop: { p99Ms: number; maxMs: number };
}

const role = process.env.STEADY_ROLE;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- publisher ---------------------------------------------------------------------------------

// a connection has 65,535 packet ids: no more than that may wait for PUBACKs on it
const MAX_INFLIGHT_PER_CONN = 65_000;

let conns: LoadConnection[] = [];
let segments: string[] = [];

async function initPublisher(m: {
  mqttHost: string;
  mqttPort: number;
  username?: string;
  password?: string;
  segments: string[];
  connections: number;
}) {
  segments = m.segments;
  conns = await Promise.all(
    Array.from({ length: m.connections }, (_, k) =>
      connectLoad(m.mqttHost, m.mqttPort, `bench-steady-${process.pid}-${k}`, {
        username: m.username,
        password: m.password,
      }),
    ),
  );
}

async function runPublisher(m: { rate: number; seconds: number; prefix: string }): Promise<PublisherResult> {
  const perSecond: Record<number, PublisherSecond> = {};
  const sec = (t: number) => {
    const k = Math.floor(t / 1000);
    perSecond[k] ??= { sent: 0, acked: 0, inflightMax: 0 };
    return perSecond[k];
  };
  const inflight = () => conns.reduce((a, c) => a + c.inflight(), 0);
  const acked = () => conns.reduce((a, c) => a + c.acked(), 0);
  const ackedBefore = acked();
  const samples: number[] = [];
  let lastAcked = ackedBefore;
  const sampler = setInterval(() => {
    const now = Date.now();
    const n = inflight();
    samples.push(n);
    const s = sec(now);
    s.inflightMax = Math.max(s.inflightMax, n);
    const a = acked();
    s.acked += a - lastAcked;
    lastAcked = a;
  }, 100);
  const total = Math.round(m.rate * m.seconds);
  const t0 = Date.now();
  let sent = 0;
  let heldTicks = 0;
  // the pace is the clock's: what is due by now goes out, whatever the acks do
  while (sent < total) {
    const now = Date.now();
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * m.rate));
    const s = sec(now);
    while (sent < due) {
      const i = sent % segments.length;
      // one segment always on the same connection: its readings arrive in order
      const c = conns[i % conns.length];
      if (c.inflight() >= MAX_INFLIGHT_PER_CONN) {
        heldTicks++;
        break;
      }
      c.publish(
        `ioc/traffic/${segments[i]}`,
        `{"ts":${now},"speedKmh":${(sent % 70) + 3},"volume":${sent % 40},"id":"${m.prefix}-${sent}"}`,
      );
      sent++;
      s.sent++;
    }
    await sleep(2);
  }
  const sendSeconds = (Date.now() - t0) / 1000;
  const deadline = Date.now() + 30_000;
  while (inflight() > 0 && Date.now() < deadline) await sleep(10);
  clearInterval(sampler);
  samples.sort((a, b) => a - b);
  return {
    published: sent,
    acked: acked() - ackedBefore,
    unackedAtEnd: inflight(),
    sendSeconds,
    inflightMax: samples.at(-1) ?? 0,
    inflightP99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] ?? 0,
    heldTicks,
    perSecond,
  };
}

// ---- consoles ----------------------------------------------------------------------------------

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let sockets: LiveSocket[] = [];
let measuring = false;
let since = 0;
const hist = new Uint32Array(HIST_MAX_MS + 1);
const consoleSeconds: Record<number, ConsoleSecond> = {};
let gaps: Array<[number, number]> = [];
let lastDeltaAt = 0;
let seqGaps = 0;
let disconnects = 0;
let deltas = 0;
let received: number[] = [];
const clientLoop = monitorEventLoopDelay({ resolution: 10 });
const health: HealthPoll[] = [];
let healthTimer: NodeJS.Timeout | undefined;
let pollsPending = 0;
let stopConsoles: (() => void) | undefined;

async function initConsoles(m: { httpUrl: string; cookies: string[]; layer?: 'traffic' | 'units' }) {
  const layer = m.layer ?? 'traffic';
  received = m.cookies.map(() => 0);
  sockets = await Promise.all(
    m.cookies.map(async (cookie, k) => {
      const s = io(m.httpUrl, { transports: ['websocket'], extraHeaders: { cookie } }) as LiveSocket;
      await new Promise<void>((r, j) => {
        s.once('connect', () => r());
        s.once('connect_error', (e) => j(e));
      });
      // as the console does: every layer, one snapshot, then deltas in seq order
      const ack = await s.timeout(30_000).emitWithAck('subscribe', { layers: [...LAYERS] });
      if (!ack.ok) throw new Error(`subscribe: ${ack.error.code}`);
      let seq = ack.seq[layer] ?? 0;
      // the newest ts timed per item: an item sent again unchanged (a registry reload) is not timed twice
      const timed = new Map<string, number>();
      s.on('disconnect', () => {
        if (measuring) disconnects++;
      });
      s.on('delta', (d: Delta) => {
        if (d.layer !== layer) return;
        const now = Date.now();
        if (d.seq !== seq + 1 && measuring) seqGaps++;
        seq = d.seq;
        // the warm-up is not timed
        if (!measuring || now < since) return;
        deltas++;
        if (k === 0) {
          if (lastDeltaAt) addGap(lastDeltaAt, now - lastDeltaAt);
          lastDeltaAt = now;
        }
        const sec = Math.floor(now / 1000);
        consoleSeconds[sec] ??= { n: 0, maxMs: 0, over500: 0, h: {} };
        const ps = consoleSeconds[sec];
        for (const it of d.items as Array<{ id: string; ts?: number }>) {
          // items of this run only (the snapshot and earlier ones are not the benchmark's)
          if (it.ts === undefined || it.ts < since || it.ts <= (timed.get(it.id) ?? 0)) continue;
          timed.set(it.id, it.ts);
          received[k]++;
          const ms = Math.max(0, now - it.ts);
          hist[Math.min(HIST_MAX_MS, ms)]++;
          ps.n++;
          if (ms > ps.maxMs) ps.maxMs = ms;
          if (ms > 500) ps.over500++;
          const b = Math.min(1000, Math.floor(ms / 10));
          ps.h[b] = (ps.h[b] ?? 0) + 1;
        }
      });
      return s;
    }),
  );
  healthTimer = setInterval(() => {
    if (!measuring) return;
    const t = Date.now();
    pollsPending++;
    fetch(`${m.httpUrl}/api/health`, { signal: AbortSignal.timeout(5000) })
      .then(
        async (r) => {
          await r.arrayBuffer();
          health.push({ t, status: r.status, ms: Date.now() - t });
        },
        () => health.push({ t, status: 0, ms: Date.now() - t }),
      )
      .finally(() => pollsPending--);
  }, 1000);
}

function addGap(at: number, ms: number) {
  if (gaps.length < 10 || ms > gaps[gaps.length - 1][1]) {
    gaps.push([at, ms]);
    gaps.sort((a, b) => b[1] - a[1]);
    gaps = gaps.slice(0, 10);
  }
}

async function runConsoles(m: { since: number }): Promise<ConsolesResult> {
  since = m.since;
  measuring = true;
  setTimeout(() => clientLoop.enable(), Math.max(0, since - Date.now()));
  await new Promise<void>((r) => {
    stopConsoles = r;
  });
  measuring = false;
  clientLoop.disable();
  // the last health polls come back (5 s at most)
  const deadline = Date.now() + 6000;
  while (pollsPending > 0 && Date.now() < deadline) await sleep(50);
  const sparse: Array<[number, number]> = [];
  for (let i = 0; i <= HIST_MAX_MS; i++) if (hist[i]) sparse.push([i, hist[i]]);
  return {
    hist: sparse,
    perSecond: consoleSeconds,
    gaps,
    seqGaps,
    disconnects,
    deltas,
    health,
    receivedPerConsole: received,
    loop: {
      p99Ms: Math.round(clientLoop.percentile(99) / 1e5) / 10,
      maxMs: Math.round(clientLoop.max / 1e5) / 10,
    },
  };
}

// ---- messages ----------------------------------------------------------------------------------

process.on('message', async (m: { cmd: 'init' | 'run' | 'stop' | 'exit' } & Record<string, unknown>) => {
  try {
    if (m.cmd === 'init') {
      if (role === 'publisher') await initPublisher(m as unknown as Parameters<typeof initPublisher>[0]);
      else await initConsoles(m as unknown as Parameters<typeof initConsoles>[0]);
      process.send?.({ ok: true });
    } else if (m.cmd === 'run') {
      const r =
        role === 'publisher'
          ? await runPublisher(m as unknown as Parameters<typeof runPublisher>[0])
          : await runConsoles(m as unknown as Parameters<typeof runConsoles>[0]);
      process.send?.({ ok: true, ...r });
    } else if (m.cmd === 'stop') {
      stopConsoles?.();
    } else if (m.cmd === 'exit') {
      if (healthTimer) clearInterval(healthTimer);
      for (const s of sockets) s.disconnect();
      await Promise.all(conns.map((c) => c.end()));
      process.exit(0);
    }
  } catch (e) {
    process.send?.({ ok: false, error: String(e) });
  }
});
// the benchmark ended without telling us (killed): do not linger
process.on('disconnect', () => process.exit(0));
