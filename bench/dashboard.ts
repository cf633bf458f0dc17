// npm run bench:dashboard: the leaders' dashboard on a month of history for a big city.
// Generates the history inside the database (INSERT ... SELECT generate_series: no round trips),
// refreshes the aggregates, then times every dashboard endpoint over HTTP and the same figures
// computed from the raw tables. Prints a table; writes bench/results/dashboard.json.
//   --days=30 --segments=2000 --cameras=200 --incidentsPerDay=80 --n=40 --backends=pglite,postgres
//   --dataDir=PATH (PGlite only): keep the generated history there and time it again on the next run
//   without generating (a 30-day history takes ~30 min here); the run's options must be the same.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import pg from 'pg';
import { cityFromGeoJson } from '#contract/cityModel.ts';
import { localDayEnd } from '#contract/cityTime.ts';
import { bigCityGeoJson } from '../e2e/support/bigCity.ts';
import { dashboardRouter } from '../server/http/dashboardRouter.ts';
import { errorHandler } from '../server/http/errors.ts';
import {
  CONTINUOUS_AGGREGATES,
  type ContinuousAggregate,
  refreshAggregates,
} from '../server/store/aggregates.ts';
import { saveCity } from '../server/store/assetsRepo.ts';
import { dashboardQueries } from '../server/store/dashboardRepo.ts';
import type { Db } from '../server/store/db.ts';
import { migrate } from '../server/store/migrate.ts';
import { openPglite } from '../server/store/pgliteDb.ts';
import { openPostgres } from '../server/store/postgresDb.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const DAYS = num('days', 30);
const SEGMENTS = num('segments', 2000);
const CAMERAS = num('cameras', 200);
const INCIDENTS_PER_DAY = num('incidentsPerDay', 80);
const N = num('n', 40);
const N_RAW = num('nRaw', 3);
const BACKENDS = (args.get('backends') ?? 'pglite,postgres').split(',');
const DATA_DIR = args.get('dataDir');
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY = 86_400_000;

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number) => Math.round(x * 10) / 10;

/** A month of readings every 5 minutes for every segment, a year of incidents, camera status. */
async function generate(db: Db, now: number): Promise<{ readings: number; seconds: Record<string, number> }> {
  const seconds: Record<string, number> = {};
  const time = async (k: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    seconds[k] = round((performance.now() - t0) / 1000);
  };
  const end = Math.floor(now / 300_000) * 300_000;
  const start = end - DAYS * DAY;
  await time('traffic', async () => {
    for (let d = 0; d < DAYS; d++) {
      const a = start + d * DAY;
      // slower at the local peak hours, some segments much slower (congested), a little noise
      await db.query(
        `INSERT INTO traffic_readings (time, segment_id, speed_kmh, volume)
         SELECT t, s.id,
           greatest(2, s.speed_limit_kmh * (0.85 - CASE WHEN extract(hour FROM t AT TIME ZONE 'Asia/Ho_Chi_Minh') IN (7, 8, 17, 18)
             THEN 0.75 * (abs(hashtext(s.id)) % 100) / 100.0 ELSE 0.1 END) + 8 * random() - 4),
           (40 * random())::int
         FROM generate_series(to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000) - INTERVAL '5 minutes', INTERVAL '5 minutes') t
         CROSS JOIN segments s`,
        [a, a + DAY],
      );
      if ((d + 1) % 5 === 0) log(`  traffic: ${d + 1}/${DAYS} days`);
    }
  });
  log('  camera status');
  await time('cameras', () =>
    db.query(
      `INSERT INTO camera_status (time, camera_id, online)
       SELECT t, c.id, random() > CASE WHEN abs(hashtext(c.id)) % 20 = 0 THEN 0.4 ELSE 0.02 END
       FROM generate_series(to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000) - INTERVAL '5 minutes', INTERVAL '5 minutes') t
       CROSS JOIN cameras c`,
      [start, end],
    ),
  );
  log('  a year of incidents');
  await time('incidents', () =>
    db.query(
      `WITH g AS (
         SELECT to_timestamp($1::float8 / 1000) + random() * ($2::float8 / 1000 - $1::float8 / 1000) * INTERVAL '1 second' AS created,
           (ARRAY['traffic_accident','traffic_jam','flooding','fire','public_order','environment','infrastructure','lighting','waste','other'])[1 + floor(random() * 10)::int] AS category,
           (ARRAY['field','open311','camera','mqtt'])[1 + floor(random() * 4)::int] AS source,
           random() AS r1, random() AS r2, random() AS lon, random() AS lat
         FROM generate_series(1, $3::int)
       )
       INSERT INTO incidents (source, category, lat, lon, status, created_at, updated_at, acknowledged_at, resolved_at, closed_at)
       SELECT source, category, $5::float8 + lat * ($7::float8 - $5::float8), $4::float8 + lon * ($6::float8 - $4::float8),
         CASE WHEN r1 < 0.9 THEN 'closed' ELSE 'acknowledged' END, created, created,
         created + (2 + 60 * r2) * INTERVAL '1 minute',
         CASE WHEN r1 < 0.9 THEN created + (0.5 + 80 * r1 * r2) * INTERVAL '1 hour' END,
         CASE WHEN r1 < 0.9 THEN created + (1 + 80 * r1 * r2) * INTERVAL '1 hour' END
       FROM g WHERE created < to_timestamp($2::float8 / 1000)`,
      [end - 365 * DAY, end, 365 * INCIDENTS_PER_DAY, ...CITY_BBOX],
    ),
  );
  log('  refreshing the aggregates');
  await time('refresh', async () => {
    // Level by level (TimescaleDB): a level refreshed before the one below it is materialised reads
    // it through real-time aggregation down to the raw readings of every later day (a history the app
    // never has: its readings stop at now), ~10 min a day here. Plain PostgreSQL: one function, by day.
    const levels: (readonly ContinuousAggregate[] | undefined)[] = db.timescale
      ? CONTINUOUS_AGGREGATES.map((v) => [v])
      : [undefined];
    for (const only of levels) {
      for (let d = 0; d < DAYS + 1; d++)
        await refreshAggregates(
          db,
          { from: start + d * DAY, to: Math.min(now, start + (d + 1) * DAY) },
          { only },
        );
      log(`  aggregates: ${only?.[0] ?? 'all'} done`);
    }
    // then once as the app's refresher leaves them: closed buckets, and the daily ones' current day
    await refreshAggregates(db, { from: now - 2 * 3_600_000, to: now }, { closedOnly: true });
  });
  const n = await db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM traffic_readings');
  return { readings: n.rows[0].n, seconds };
}

let CITY_BBOX: [number, number, number, number] = [0, 0, 0, 0];

/** The same traffic and camera figures as the endpoints, from the raw tables. */
function rawQueries(db: Db, from: number, to: number): Record<string, () => Promise<unknown>> {
  const hourly = `SELECT date_bin(INTERVAL '1 hour', r.time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, r.segment_id,
      sum(r.speed_kmh)::float8 AS s, count(*) AS n
    FROM traffic_readings r WHERE r.time >= to_timestamp($1::float8 / 1000) AND r.time < to_timestamp($2::float8 / 1000)
    GROUP BY 1, 2`;
  const peak = `extract(hour FROM h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh') IN (7, 8, 17, 18)`;
  return {
    'summary (traffic + cameras)': async () => {
      await db.query(
        `SELECT sum(h.s) / sum(h.n), sum(h.s) FILTER (WHERE ${peak}) / sum(h.n) FILTER (WHERE ${peak}),
           count(*) FILTER (WHERE h.s / h.n < 0.3 * sg.speed_limit_kmh), count(*)
         FROM (${hourly}) h JOIN segments sg ON sg.id = h.segment_id`,
        [from, to],
      );
      await db.query(
        `SELECT avg(x.a) FROM (SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), camera_id,
           avg(CASE WHEN online THEN 1.0 ELSE 0.0 END) AS a
         FROM camera_status WHERE time >= to_timestamp($1::float8 / 1000) AND time < to_timestamp($2::float8 / 1000) GROUP BY 1, 2) x`,
        [from, to],
      );
    },
    series: () =>
      db.query(
        `SELECT date_bin(INTERVAL '1 day', h.hour, TIMESTAMPTZ '2000-01-01 00:00:00+07'), sum(h.s) / sum(h.n),
           count(*) FILTER (WHERE h.s / h.n < 0.3 * sg.speed_limit_kmh)
         FROM (${hourly}) h JOIN segments sg ON sg.id = h.segment_id GROUP BY 1`,
        [from, to],
      ),
    'worst-segments': () =>
      db.query(
        `SELECT h.segment_id, count(*) FILTER (WHERE h.s / h.n < 0.3 * sg.speed_limit_kmh) AS c, sum(h.s) / sum(h.n) AS a
         FROM (${hourly}) h JOIN segments sg ON sg.id = h.segment_id GROUP BY 1 ORDER BY c DESC, a LIMIT 10`,
        [from, to],
      ),
  };
}

interface Timing {
  endpoint: string;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  n: number;
}

async function timeEndpoints(db: Db, now: number, district: string): Promise<Timing[]> {
  const city = cityFromGeoJson(CITY_GEOJSON);
  const app = express();
  app.use(dashboardRouter({ queries: dashboardQueries(db), city: () => city, now: () => now }));
  app.use(errorHandler({ error: (o) => console.error(o) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const to = localDayEnd(now);
  const iso = (ms: number) => new Date(ms).toISOString();
  const periods = {
    today: `from=${iso(to - DAY)}&to=${iso(to)}`,
    '7d': `from=${iso(to - 7 * DAY)}&to=${iso(to)}`,
    '30d': `from=${iso(to - 30 * DAY)}&to=${iso(to)}`,
    '90d': `from=${iso(to - 90 * DAY)}&to=${iso(to)}`,
    [`30d, ${district}`]: `from=${iso(to - 30 * DAY)}&to=${iso(to)}&district=${district}`,
  };
  const paths = [
    'summary',
    'series',
    'worst-segments',
    'incidents-by?by=category',
    'incidents-by?by=source',
    'cameras',
    'districts',
    'calendar',
  ];
  const out: Timing[] = [];
  for (const [name, q] of Object.entries(periods)) {
    for (const p of paths) {
      const url = `${base}/api/dashboard/${p}${p.includes('?') ? '&' : '?'}${q}`;
      const ms: number[] = [];
      for (let i = 0; i < N + 2; i++) {
        const t0 = performance.now();
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
        if (i >= 2) ms.push(performance.now() - t0); // two warm-ups
      }
      out.push({
        endpoint: `${p.split('?')[0]}${p.includes('by=') ? ` (${p.split('=')[1]})` : ''} [${name}]`,
        p50Ms: round(pct(ms, 50)),
        p95Ms: round(pct(ms, 95)),
        maxMs: round(Math.max(...ms)),
        n: ms.length,
      });
    }
  }
  await new Promise((r) => server.close(() => r(undefined)));
  return out;
}

let CITY_GEOJSON: object = {};

async function runBackend(name: string): Promise<object> {
  let db: Db;
  let cleanup: () => Promise<void>;
  let kept: { now: number; readings: number; seconds: Record<string, number> } | undefined;
  let keep: ((meta: object) => void) | undefined;
  if (name === 'pglite') {
    const dir = DATA_DIR ? path.resolve(DATA_DIR) : mkdtempSync(path.join(os.tmpdir(), 'ioc-bench-dash-'));
    const metaFile = path.join(dir, 'bench-history.json');
    if (DATA_DIR) {
      mkdirSync(dir, { recursive: true });
      if (existsSync(metaFile)) kept = JSON.parse(readFileSync(metaFile, 'utf8'));
      keep = (meta) => writeFileSync(metaFile, JSON.stringify(meta));
    }
    db = await openPglite({ dataDir: dir });
    cleanup = async () => {
      await db.close();
      if (!DATA_DIR) rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const dbName = `ioc_bench_dash_${randomBytes(4).toString('hex')}`;
    const admin = async (sql: string) => {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${dbName}`);
    const u = new URL(PG_ADMIN);
    u.pathname = `/${dbName}`;
    db = await openPostgres(u.toString(), { max: 8 });
    cleanup = async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    };
  }
  try {
    log(`${name}: migrating (${db.timescale ? 'TimescaleDB' : 'plain PostgreSQL'})`);
    await migrate(db);
    const city = cityFromGeoJson(CITY_GEOJSON);
    CITY_BBOX = city.bbox;
    let now: number;
    let gen: { readings: number; seconds: Record<string, number> };
    if (kept) {
      now = kept.now;
      gen = kept;
      log(`${name}: the history kept in ${DATA_DIR} (generated ${new Date(now).toISOString()})`);
      // one run of the app's refresher at the time the history ends (aggregates added since fill in)
      await refreshAggregates(db, { from: now - 2 * 3_600_000, to: now }, { closedOnly: true });
    } else {
      await saveCity(db, city);
      now = Date.now();
      log(`${name}: generating ${DAYS} days x ${SEGMENTS} segments every 5 min, a year of incidents`);
      gen = await generate(db, now);
      keep?.({ now, ...gen });
    }
    log(`${name}: ${gen.readings} readings; ${JSON.stringify(gen.seconds)} s`);
    const district = city.districts[0].id;
    const timings = await timeEndpoints(db, now, district);
    const to = localDayEnd(now);
    const raw: Timing[] = [];
    for (const [k, fn] of Object.entries(rawQueries(db, to - 30 * DAY, to))) {
      const ms: number[] = [];
      for (let i = 0; i < N_RAW; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      raw.push({
        endpoint: `${k} [30d, raw tables]`,
        p50Ms: round(pct(ms, 50)),
        p95Ms: round(pct(ms, 95)),
        maxMs: round(Math.max(...ms)),
        n: N_RAW,
      });
    }
    return {
      backend: name,
      timescale: db.timescale,
      readings: gen.readings,
      generateSeconds: gen.seconds,
      endpoints: timings,
      raw,
      worstP95Ms: Math.max(...timings.map((t) => t.p95Ms)),
    };
  } finally {
    await cleanup();
  }
}

const results: object[] = [];
CITY_GEOJSON = bigCityGeoJson(SEGMENTS, CAMERAS);
for (const b of BACKENDS) {
  try {
    const r = await runBackend(b);
    results.push(r);
    const x = r as {
      endpoints: Timing[];
      raw: Timing[];
      backend: string;
      readings: number;
      worstP95Ms: number;
    };
    console.log(
      `\n${x.backend}: ${x.readings.toLocaleString('en')} readings, ${SEGMENTS} segments, ${DAYS} days`,
    );
    console.table([...x.endpoints, ...x.raw]);
    console.log(`worst endpoint p95: ${x.worstP95Ms} ms (target < 200 ms)`);
  } catch (err) {
    console.error(`${b}: failed`, err);
    results.push({ backend: b, error: String(err) });
  }
}
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(
  path.join(HERE, 'results', 'dashboard.json'),
  `${JSON.stringify({ at: new Date().toISOString(), days: DAYS, segments: SEGMENTS, cameras: CAMERAS, incidentsPerDay: INCIDENTS_PER_DAY, n: N, results }, null, 2)}\n`,
);
log('wrote bench/results/dashboard.json');
