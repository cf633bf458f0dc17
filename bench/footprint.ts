// npm run bench:footprint: what the embedded default holds on disk and in memory (issue 18). Starts the
// product as `npm start` runs it (ioc.ts: embedded broker and database, simulators on) on an empty data
// folder, lets it backfill BENCH_DAYS days of history (default 7), then reads the data folder's size
// (pg_wal apart) and the process's RSS after the backfill, and again after BENCH_REST_S seconds at
// rest (default 60). The process is this repository's code, run with `node --import tsx`, so its RSS is
// the IOC's own.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const REST_S = Number(process.env.BENCH_REST_S ?? 60);
const ROOT = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function sizeOf(p: string): Promise<number> {
  const st = await stat(p).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of await readdir(p)) n += await sizeOf(path.join(p, e));
  return n;
}

async function rssMb(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const mb = (b: number) => Math.round(b / 2 ** 20);

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-bench-footprint-'));
  const port = await freePort();
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'ioc.ts'], {
    cwd: ROOT,
    env: {
      // glibc's allocator as `npm start` sets it (package.json): two arenas, and blocks of 64 KiB and more
      // mapped on their own, so that what V8's compilers and PostgreSQL's start-up free goes back
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '65536',
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      DATA_DIR: dir,
      BACKFILL_DAYS: String(DAYS),
      LOG_LEVEL: 'info',
      DEMO_ACCOUNTS: 'false',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let backfilled: () => void = () => {};
  const done = new Promise<void>((r) => {
    backfilled = r;
  });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.includes('history backfilled')) backfilled();
      if (line.includes('"level":50') || line.includes('"level":40')) process.stderr.write(`${line}\n`);
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the IOC exited (${code}) before the history was stored`))),
  );
  try {
    await Promise.race([done, exited]);
    const afterBackfillS = Math.round((Date.now() - t0) / 1000);
    const at = async (when: string) => ({
      when,
      dataMb: mb(await sizeOf(dir)),
      walMb: mb(await sizeOf(path.join(dir, 'db', 'pg_wal'))),
      rssMb: await rssMb(child.pid as number),
    });
    const rows = [await at(`history stored (${afterBackfillS} s after start)`)];
    await new Promise((r) => setTimeout(r, REST_S * 1000));
    rows.push(await at(`${REST_S} s later, at rest (simulators on)`));
    process.stdout.write(
      `\nEmbedded default, ${DAYS} days of history, ${os.cpus().length} cores, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}\n\n| moment | data folder MB | of it pg_wal MB | RSS MB |\n|---|--:|--:|--:|\n`,
    );
    for (const r of rows) process.stdout.write(`| ${r.when} | ${r.dataMb} | ${r.walMb} | ${r.rssMb} |\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
