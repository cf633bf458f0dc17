// npm run bench:indicators: how many indicator values a second the IOC stores over HTTP (issue 14:
// ≥ 20,000 values/s in batches of 1,000 on the embedded database). A load process (this file with
// --worker, so that it takes no CPU or event-loop time from the IOC's) sends `POST /api/ingest/{source}`
// batches of 1,000 events (dossiers received per agency, online mentions per topic, source and sentiment;
// each with a unique id) with `--concurrency` requests in flight for `--seconds`; a value counts when its
// answer says `stored`. At the end, count(*) in the database must equal the stored values.
// Results: bench/results/indicators.json + a table.
//   npm run bench:indicators -- --seconds=20 --concurrency=8 --backends=embedded,services
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestAnswer } from '#contract/indicatorVocab.ts';
import { ask, pct, startBenchIoc } from './run.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SECONDS = Number(args.get('seconds') ?? 20);
const CONCURRENCY = Number(args.get('concurrency') ?? 8);
const BATCH = 1000;
const BACKENDS = (args.get('backends') ?? 'embedded').split(',') as Array<'embedded' | 'services'>;

const AGENCIES = [
  'so-tu-phap',
  'so-xay-dung',
  'so-tai-nguyen-moi-truong',
  'so-ke-hoach-dau-tu',
  'ubnd-tp-quy-nhon',
];
const TOPICS = ['ngap-lut', 'giao-thong', 'moi-truong', 'dat-dai', 'y-te'];
const SOURCES = ['facebook', 'baomoi', 'youtube', 'tiktok', 'forum'];
const SENTIMENTS = ['positive', 'neutral', 'negative'];

interface LoadResult {
  ok: true;
  requests: number;
  stored: number;
  duplicate: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
  latenciesMs: number[];
}

/** The load process: sends batches until the time is up, `concurrency` at a time. */
async function worker(): Promise<void> {
  process.on('message', async (m: { url: string; key: string; seconds: number; concurrency: number }) => {
    const pick = <T>(xs: T[], i: number) => xs[i % xs.length] as T;
    const batch = () => {
      const ts = Date.now();
      return JSON.stringify({
        values: Array.from({ length: BATCH }, (_, i) =>
          i % 2
            ? {
                indicator: 'dossier_received',
                ts: ts - i,
                agency: pick(AGENCIES, i),
                channel: i % 3 ? 'online' : 'counter',
                id: randomUUID(),
              }
            : {
                indicator: 'online_mentions',
                ts: ts - i,
                topic: pick(TOPICS, i),
                source: pick(SOURCES, i >> 1),
                sentiment: pick(SENTIMENTS, i >> 2),
                id: randomUUID(),
              },
        ),
      });
    };
    const r: LoadResult = {
      ok: true,
      requests: 0,
      stored: 0,
      duplicate: 0,
      rejected: 0,
      failed: 0,
      elapsedMs: 0,
      latenciesMs: [],
    };
    // encoded before the clock starts (as bench/run.ts's readings): the IOC's rate, not the encoder's
    const bodies = Array.from({ length: Math.ceil(m.seconds * 40) }, batch);
    let next = 0;
    const t0 = performance.now();
    const end = t0 + m.seconds * 1000;
    const lane = async () => {
      while (performance.now() < end) {
        const body = bodies[next++] ?? batch();
        const s = performance.now();
        const res = await fetch(m.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': m.key },
          body,
        });
        r.requests++;
        if (res.status !== 200) {
          r.failed++;
          await res.body?.cancel();
          continue;
        }
        const a = (await res.json()) as IngestAnswer;
        r.latenciesMs.push(performance.now() - s);
        r.stored += a.stored;
        r.duplicate += a.duplicate;
        r.rejected += a.rejected;
      }
    };
    await Promise.all(Array.from({ length: m.concurrency }, lane));
    r.elapsedMs = performance.now() - t0;
    process.send?.(r);
  });
}

interface BenchResult {
  backend: string;
  seconds: number;
  concurrency: number;
  requests: number;
  storedPerS: number;
  stored: number;
  inDatabase: number;
  rejected: number;
  failed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** database writes of ingest, their mean rows, and the share of the run they took */
  batches: number;
  meanBatch: number;
  writeShare: number;
  ok: boolean;
}

async function scenario(name: 'embedded' | 'services'): Promise<BenchResult> {
  const { ioc, cleanups } = await startBenchIoc(name);
  try {
    const { apiKey } = await ioc.indicatorSources.create({
      id: 'bench',
      name: 'Benchmark load',
      indicators: ['dossier_received', 'online_mentions'],
      ratePerMin: 100_000,
    });
    // what ingest wrote: batches and their write time
    const writes: { rows: number; ms: number }[] = [];
    ioc.bus.on('ingest:stored', 'bench', (e) =>
      writes.push({ rows: e.byKind.indicator + e.duplicates, ms: e.writeMs }),
    );
    const load = fork(fileURLToPath(import.meta.url), ['--worker'], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    cleanups.push(() => {
      load.kill();
    });
    const r = await ask<LoadResult>(load, {
      url: `${ioc.httpUrl}/api/ingest/bench`,
      key: apiKey,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
    });
    const { rows } = await ioc.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM indicator_values WHERE sender = 'bench'",
    );
    const inDatabase = Number(rows[0]?.n ?? 0);
    const storedPerS = Math.round(r.stored / (r.elapsedMs / 1000));
    const rowsWritten = writes.reduce((n, w) => n + w.rows, 0);
    const writeMs = writes.reduce((n, w) => n + w.ms, 0);
    return {
      backend: name === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL',
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      requests: r.requests,
      storedPerS,
      stored: r.stored,
      inDatabase,
      rejected: r.rejected,
      failed: r.failed,
      p50Ms: pct(r.latenciesMs, 50),
      p99Ms: pct(r.latenciesMs, 99),
      batches: writes.length,
      meanBatch: Math.round(rowsWritten / Math.max(1, writes.length)),
      writeShare: writeMs / r.elapsedMs,
      ok: inDatabase === r.stored && r.rejected === 0 && r.failed === 0 && storedPerS >= 20_000,
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

async function main(): Promise<void> {
  const results: BenchResult[] = [];
  for (const b of BACKENDS) {
    console.log(`bench:indicators ${b}: ${SECONDS} s, ${CONCURRENCY} requests of ${BATCH} values in flight`);
    results.push(await scenario(b));
  }
  const dir = path.join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'indicators.json'),
    JSON.stringify(
      { at: new Date().toISOString(), cpus: os.cpus().length, load: os.loadavg(), results },
      null,
      2,
    ),
  );
  console.table(
    results.map((r) => ({
      backend: r.backend,
      'stored values/s': r.storedPerS,
      'stored = in database': `${r.stored} = ${r.inDatabase}`,
      'request p50 / p99 ms': `${r.p50Ms?.toFixed(0)} / ${r.p99Ms?.toFixed(0)}`,
      'rejected / failed': `${r.rejected} / ${r.failed}`,
      'writes: mean rows, busy': `${r.meanBatch}, ${Math.round(r.writeShare * 100)} %`,
      '≥ 20,000/s': r.ok ? 'PASS' : 'FAIL',
    })),
  );
  console.log(
    `load average while it ran: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (${os.cpus().length} cores)`,
  );
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

if (process.argv.includes('--worker')) void worker();
else void main();
