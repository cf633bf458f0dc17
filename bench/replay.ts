// npm run bench:replay: the console's replay (issue 16) on the embedded database (PGlite + TimescaleDB)
// with the default city's 7 days of history, as the product makes it on a first start (the simulators'
// backfill through the ingest path, then the continuous aggregates). Times over HTTP, signed in as an
// operator, with the simulators running live as on a real start:
//   - seek: GET /api/replay?at= at random moments of the history (target p95 ≤ 300 ms);
//   - changes: GET /api/replay/changes for a 5-minute window, and for the 30 minutes the console fetches
//     ahead at 60×;
//   - playback: headless Chromium 1920×1080 on the console, frame gaps of the live console, then of the
//     time bar playing at 60× from a morning peak (bench/console.ts's measure: requestAnimationFrame gaps).
// Prints a table; writes bench/results/replay.json and a screenshot of the replay playing in artifacts/.
//
//   npx tsx bench/replay.ts [--seeks=60] [--changes=30] [--seconds=15] [--days=7] [--dataDir=PATH]
//   [--fresh] [--skipBrowser]
// The history is generated once into --dataDir (default: <OS temp>/ioc-bench-replay-<days>d) and
// reused by later runs; --fresh throws it away and generates it again.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import type { ReplayChanges, ReplayState } from '#contract/replayApi.ts';
import { ARTIFACTS, ensureClientBuilt, launchBrowser, signIn } from '../e2e/support/browser.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { type RunningIoc, startIoc } from '../server/main.ts';
import { loginAs } from '../server/testing/sessions.ts';
import { simulators } from '../simulators/plugin.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length ? v.join('=') : 'true'] as [string, string];
  }),
);
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const DAYS = num('days', 7);
const SEEKS = num('seeks', 60);
const CHANGES = num('changes', 30);
const SECONDS = num('seconds', 15);
const DATA_DIR = path.resolve(args.get('dataDir') ?? path.join(os.tmpdir(), `ioc-bench-replay-${DAYS}d`));
const META = path.join(DATA_DIR, 'bench-replay.json');
const MIN = 60_000;
const HOUR = 3_600_000;

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const r1 = (x: number) => Math.round(x * 10) / 10;
const iso = (ms: number) => new Date(ms).toISOString();

interface Meta {
  /** the history: [from, to] */
  from: number;
  to: number;
  generateSeconds: number;
}

interface Timing {
  what: string;
  n: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** mean size of the answer */
  kb: number;
  note: string;
}

function timing(what: string, ms: number[], bytes: number[], note: string): Timing {
  return {
    what,
    n: ms.length,
    p50Ms: r1(pct(ms, 50)),
    p95Ms: r1(pct(ms, 95)),
    maxMs: r1(Math.max(...ms)),
    kb: Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length / 1024),
    note,
  };
}

/** The IOC on the kept data folder; on the first run it makes the history and waits for it. */
async function start(): Promise<{ ioc: RunningIoc; meta: Meta }> {
  let meta: Meta | undefined;
  if (args.has('fresh')) rmSync(DATA_DIR, { recursive: true, force: true });
  if (existsSync(META)) meta = JSON.parse(readFileSync(META, 'utf8')) as Meta;
  else {
    // a run stopped while generating left half a history: the product would not make it again
    rmSync(DATA_DIR, { recursive: true, force: true });
    mkdirSync(DATA_DIR, { recursive: true });
  }
  const t0 = Date.now();
  const ioc = await startIoc(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      DATA_DIR,
      SIMULATE: 'true',
      BACKFILL_DAYS: String(DAYS),
      DEMO_ACCOUNTS: 'false',
    }),
    { log: createLogger(meta ? 'warn' : 'info'), simulation: simulators },
  );
  if (meta) {
    log(`the history kept in ${DATA_DIR}: ${iso(meta.from)} → ${iso(meta.to)}`);
    return { ioc, meta };
  }
  log(`generating ${DAYS} days of the default city's history into ${DATA_DIR} (once)`);
  await ioc.history;
  const generateSeconds = Math.round((Date.now() - t0) / 1000);
  // the backfill's span: from its first reading to the first start
  const r = await ioc.db.query<{ from: number }>(
    `SELECT (extract(epoch FROM min(time)) * 1000)::float8 AS "from" FROM traffic_readings`,
  );
  meta = { from: r.rows[0].from, to: t0, generateSeconds };
  writeFileSync(META, JSON.stringify(meta));
  log(`history generated in ${generateSeconds} s`);
  return { ioc, meta };
}

/** Random moments of the history, on whole seconds (a seek is a typed or dragged moment). */
function moments(meta: Meta, n: number, margin: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      Math.floor((meta.from + margin + Math.random() * (meta.to - meta.from - 2 * margin)) / 1000) * 1000,
    );
  return out;
}

async function timeHttp(
  ioc: RunningIoc,
  meta: Meta,
): Promise<{
  timings: Timing[];
  sample: { traffic: number; cameras: number; incidents: number; alarms: number };
}> {
  const s = await loginAs(ioc, 'operator');
  const get = async (url: string) => {
    const t0 = performance.now();
    const res = await s.fetch(url);
    const body = await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString()}`);
    return { ms, bytes: body.byteLength, json: () => JSON.parse(Buffer.from(body).toString()) };
  };
  // two warm-ups (a first query plans and reads cold pages)
  for (const at of moments(meta, 2, HOUR)) await get(`/api/replay?at=${iso(at)}`);
  const seekMs: number[] = [];
  const seekBytes: number[] = [];
  const sizes = { traffic: 0, cameras: 0, incidents: 0, alarms: 0 };
  for (const at of moments(meta, SEEKS, HOUR)) {
    const r = await get(`/api/replay?at=${iso(at)}`);
    seekMs.push(r.ms);
    seekBytes.push(r.bytes);
    const st = r.json() as ReplayState;
    for (const k of Object.keys(sizes) as (keyof typeof sizes)[]) sizes[k] += st.snapshot[k].length;
  }
  for (const k of Object.keys(sizes) as (keyof typeof sizes)[]) sizes[k] = Math.round(sizes[k] / SEEKS);
  const out = [timing('seek  GET /api/replay?at=', seekMs, seekBytes, 'random moments of the history')];
  for (const [label, span] of [
    ['5 min', 5 * MIN],
    ['30 min (60× fetch)', 30 * MIN],
  ] as const) {
    const ms: number[] = [];
    const bytes: number[] = [];
    let deltas = 0;
    for (const from of moments(meta, CHANGES, HOUR)) {
      const r = await get(`/api/replay/changes?from=${iso(from)}&to=${iso(from + span)}`);
      ms.push(r.ms);
      bytes.push(r.bytes);
      deltas += (r.json() as ReplayChanges).deltas.length;
    }
    out.push(
      timing(`changes ${label}`, ms, bytes, `${Math.round(deltas / CHANGES)} deltas per answer on average`),
    );
  }
  return { timings: out, sample: sizes };
}

// scripts as strings: tsx adds name helpers to functions that would not exist in the page
const FRAMES = (seconds: number) => `(async () => {
  const ioc = window.__ioc;
  const longTasks = [];
  const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); });
  obs.observe({ type: 'longtask', buffered: false });
  const gaps = [];
  const before = ioc.perf();
  let last = performance.now();
  const t0 = last;
  const end = last + ${seconds * 1000};
  await new Promise((done) => {
    const tick = (t) => { gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else done(); };
    requestAnimationFrame(tick);
  });
  obs.disconnect();
  const after = ioc.perf();
  return { gaps, wallMs: last - t0, updates: after.renders - before.renders, draws: after.drawn - before.drawn,
    renderMs: after.renderMs - before.renderMs, longTasks: longTasks.length,
    longestTaskMs: longTasks.length ? Math.max(...longTasks) : 0 };
})()`;

interface Frames {
  gaps: number[];
  wallMs: number;
  updates: number;
  draws: number;
  renderMs: number;
  longTasks: number;
  longestTaskMs: number;
}

interface FrameRow {
  what: string;
  frameP50Ms: number;
  frameP95Ms: number;
  fps: number;
  overlayUpdates: number;
  overlayDraws: number;
  longTasks: number;
  longestTaskMs: number;
  /** replayed time per second of wall time while playing (60 = kept up) */
  replayedPerSecond?: number;
}

function frameRow(what: string, f: Frames, replayedPerSecond?: number): FrameRow {
  return {
    what,
    frameP50Ms: r1(pct(f.gaps, 50)),
    frameP95Ms: r1(pct(f.gaps, 95)),
    fps: r1(f.gaps.length / (f.wallMs / 1000)),
    overlayUpdates: f.updates,
    overlayDraws: f.draws,
    longTasks: f.longTasks,
    longestTaskMs: Math.round(f.longestTaskMs),
    replayedPerSecond,
  };
}

const replayAt = (page: Page) =>
  page.evaluate(
    () =>
      (document.querySelector('[data-testid="replay-slider"]') as HTMLInputElement | null)?.getAttribute(
        'aria-valuetext',
      ) ?? null,
  );

async function playback(ioc: RunningIoc, meta: Meta): Promise<{ rows: FrameRow[]; from: number }> {
  const { browser, context } = await launchBrowser();
  try {
    await context.addInitScript(() => localStorage.setItem('ioc.lang', 'vi'));
    await signIn(context, ioc, 'operator');
    const page = await context.newPage();
    await page.goto(ioc.httpUrl);
    await page
      .waitForFunction(
        () => document.querySelector('[data-testid="conn-badge"]')?.getAttribute('data-status') === 'live',
        undefined,
        { timeout: 60_000 },
      )
      .catch(async (err) => {
        await page.screenshot({ path: path.join(ARTIFACTS, 'bench-replay-not-live.png') });
        throw err;
      });
    await page.waitForTimeout(6000);
    const live = (await page.evaluate(FRAMES(SECONDS))) as Frames;
    log(`live console: ${JSON.stringify(frameRow('live', live))}`);

    // the morning peak of the day before the history ends (07:00 in the city): levels change most then
    const day = Math.floor((meta.to - DAYS_BACK * 86_400_000 + LOCAL_OFFSET_MS) / 86_400_000) * 86_400_000;
    const from = day - LOCAL_OFFSET_MS + 7 * HOUR;
    await page.keyboard.press('t');
    await page.getByTestId('time-bar').waitFor();
    const input = page.getByTestId('replay-input');
    await input.fill(new Date(from + LOCAL_OFFSET_MS).toISOString().slice(0, 16));
    await input.dispatchEvent('change');
    await page.getByTestId('replay-frame').waitFor();
    // the seek's snapshot applied: the "loading" note gone
    await page.waitForFunction(
      // the "loading" note beside the controls (the legend under the bar is muted too)
      () => !document.querySelector('[data-testid="time-bar"] .tb-controls > .muted:not(.tb-note)'),
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(3000);
    const paused = (await page.evaluate(FRAMES(Math.min(5, SECONDS)))) as Frames;
    await page.getByTestId('replay-speed-60').click();
    await page.getByTestId('replay-play').click();
    // the first window of changes is fetched on the first tick: measure the steady playing
    await page.waitForTimeout(2000);
    const cursor0 = await cursorOf(page);
    const t0 = Date.now();
    const playing = (await page.evaluate(FRAMES(SECONDS))) as Frames;
    const replayed = ((await cursorOf(page)) - cursor0) / ((Date.now() - t0) / 1000) / 1000;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'bench-replay-playing.png') });
    log(`replay cursor: ${await replayAt(page)}`);
    return {
      rows: [
        frameRow('live console', live),
        frameRow('replay, paused (a seek shown)', paused),
        frameRow('replay playing at 60×', playing, r1(replayed)),
      ],
      from,
    };
  } finally {
    await browser.close();
  }
}
const DAYS_BACK = 1;

/** The replayed moment: the URL's ?at= follows seeks only, the slider's value follows the cursor. */
const cursorOf = (page: Page) =>
  page.evaluate(() =>
    Number((document.querySelector('[data-testid="replay-slider"]') as HTMLInputElement).value),
  );

async function main() {
  // before the IOC starts: it decides at start-up whether there is a client to serve
  if (!args.has('skipBrowser')) ensureClientBuilt();
  const { ioc, meta } = await start();
  try {
    const rows = await ioc.db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM traffic_readings');
    log(
      `${rows.rows[0].n.toLocaleString('en')} traffic readings; ${ioc.city.segments.length} segments, ${ioc.city.cameras.length} cameras`,
    );
    const { timings, sample } = await timeHttp(ioc, meta);
    log(`an answer holds on average ${JSON.stringify(sample)}`);
    for (const t of timings) log(`${t.what}: p50 ${t.p50Ms} p95 ${t.p95Ms} max ${t.maxMs} ms (${t.note})`);
    const pb = args.has('skipBrowser') ? undefined : await playback(ioc, meta);
    const load = os.loadavg().map((x) => x.toFixed(1));
    mkdirSync(path.join(HERE, 'results'), { recursive: true });
    writeFileSync(
      path.join(HERE, 'results', 'replay.json'),
      JSON.stringify(
        {
          date: new Date().toISOString(),
          history: { ...meta, days: DAYS, readings: rows.rows[0].n },
          averageSeekAnswer: sample,
          http: timings,
          playback: pb,
          loadAverage: load,
          renderer: 'headless Chromium, SwiftShader (no GPU)',
        },
        null,
        2,
      ),
    );
    console.log(
      `\nreplay on the embedded database, ${DAYS} days of the default city (${rows.rows[0].n.toLocaleString('en')} readings; generated in ${meta.generateSeconds} s)`,
    );
    console.log(
      `${'request'.padEnd(30)} ${'n'.padStart(4)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'KiB'.padStart(6)}  note`,
    );
    for (const t of timings)
      console.log(
        `${t.what.padEnd(30)} ${String(t.n).padStart(4)} ${String(t.p50Ms).padStart(8)} ${String(t.p95Ms).padStart(8)} ${String(t.maxMs).padStart(8)} ${String(t.kb).padStart(6)}  ${t.note}`,
      );
    const seek = timings[0];
    console.log(`seek p95 ${seek.p95Ms} ms: ${seek.p95Ms <= 300 ? 'PASS' : 'FAIL'} (target ≤ 300 ms)`);
    if (pb) {
      console.log(`\nconsole frames (${SECONDS} s each; playback from ${iso(pb.from)})`);
      console.log(
        `${'console'.padEnd(32)} ${'frame p50/p95 ms'.padStart(17)} ${'fps'.padStart(5)} ${'updates'.padStart(8)} ${'draws'.padStart(6)} ${'long tasks'.padStart(11)} ${'longest'.padStart(8)}  replayed s/s`,
      );
      for (const r of pb.rows)
        console.log(
          `${r.what.padEnd(32)} ${`${r.frameP50Ms}/${r.frameP95Ms}`.padStart(17)} ${String(r.fps).padStart(5)} ${String(r.overlayUpdates).padStart(8)} ${String(r.overlayDraws).padStart(6)} ${String(r.longTasks).padStart(11)} ${String(r.longestTaskMs).padStart(8)}  ${r.replayedPerSecond ?? ''}`,
        );
    }
    console.log(`load average at the end: ${load.join(' ')}`);
  } finally {
    await ioc.stop();
  }
  process.exit(0);
}

void main();
