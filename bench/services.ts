// npm run bench:services: the services on the indicator feed (issue 14) on 90 days of history: every new
// endpoint's p95 over repeated calls for 7-, 30- and 90-day periods (target ≤ 200 ms on the embedded
// database). The whole IOC runs in this process (startBenchIoc, no simulators); the history is generated
// inside the database (INSERT ... SELECT generate_series: HTTP ingest refuses events older than 30 days,
// as it should), then the aggregates are refreshed as the app's refresher leaves them. Calls go over HTTP
// as a leader's, one at a time. Results: bench/results/services.json + a table.
//   npm run bench:services -- --days=90 --n=30 --backends=embedded,services --dossiersPerDay=2000 --mentionsPerDay=3000
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAY_MS, HOUR_MS, localDate, localDayStart } from '#contract/cityTime.ts';
import { periodStart } from '#contract/indicatorVocab.ts';
import { RECEIVED_LOOKBACK_MS } from '../server/indicators/indicatorsModule.ts';
import { INDICATOR_AGGREGATES, refreshAggregates } from '../server/store/aggregates.ts';
import type { Db } from '../server/store/db.ts';
import { latestReceived } from '../server/store/indicatorsRepo.ts';
import { servicesQueries, shiftPeriod } from '../server/store/servicesRepo.ts';
import { loginAs } from '../server/testing/sessions.ts';
import { pct, startBenchIoc } from './run.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const DAYS = num('days', 90);
const N = num('n', 30);
const DOSSIERS_PER_DAY = num('dossiersPerDay', 2000);
const MENTIONS_PER_DAY = num('mentionsPerDay', 3000);
const BACKENDS = (args.get('backends') ?? 'embedded').split(',') as Array<'embedded' | 'services'>;
const PERIODS = [7, 30, 90];
const TARGET_MS = 200;

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const TS = (n: number) => `to_timestamp($${n}::float8 / 1000)`;

/**
 * Dossier events of 12 agencies on working days between 07:30 and 17:00 (agencies of very different
 * sizes, a few per cent late, returned), each agency's overdue stock every hour, mentions of 12 topics from
 * 6 sources with an evening peak and a quarter negative, 24 months and 8 quarters of the statistics
 * office's figures, two years' plans.
 */
async function generate(db: Db, now: number, wards: string[]): Promise<Record<string, number>> {
  const start = localDayStart(now) - DAYS * DAY_MS;
  const counts: Record<string, number> = {};
  const agencies = (await db.query<{ id: string }>('SELECT id FROM agencies ORDER BY id')).rows.map(
    (r) => r.id,
  );
  // an agency's share of the province's dossiers: the city's People's Committee and a few departments take most
  const weights = agencies.map((_, i) => 1 + ((i * 7) % 12));
  const total = weights.reduce((a, b) => a + b, 0);
  const perAgency = agencies.map((id, i) => ({
    id,
    n: Math.round((DOSSIERS_PER_DAY * weights[i]!) / total),
  }));
  const insert = async (what: string, sql: string, params: unknown[]) => {
    const t0 = performance.now();
    const r = await db.query(sql, params);
    counts[what] = (counts[what] ?? 0) + (r.rowCount ?? 0);
    log(`  ${what}: ${r.rowCount} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  // dossier events: per agency and working day, n received; resolutions 93 % on time, 5 % late; 4 % returned
  for (const [indicator, share] of [
    ['dossier_received', 1],
    ['dossier_resolved_on_time', 0.93 - 0.0],
    ['dossier_resolved_late', 0.05],
    ['dossier_returned', 0.04],
  ] as const) {
    await insert(
      indicator,
      `INSERT INTO indicator_values (time, indicator_id, value, agency_id, ward_id, channel, via, sender)
       SELECT d + (7.5 + 9.5 * random()) * INTERVAL '1 hour', $1, 1, a.id,
         CASE WHEN a.id LIKE 'ubnd-%' THEN ($5::text[])[1 + floor(random() * array_length($5::text[], 1))::int] END,
         CASE WHEN $1 = 'dossier_received' THEN (CASE WHEN random() < 0.62 THEN 'online' WHEN random() < 0.95 THEN 'counter' ELSE 'postal' END) END,
         'bench', 'bench'
       FROM generate_series(${TS(2)}, ${TS(3)}, INTERVAL '1 day') d
       CROSS JOIN jsonb_to_recordset($4::jsonb) AS a(id text, n int)
       CROSS JOIN LATERAL generate_series(1, greatest(0, round(a.n * $6::float8 * (0.8 + 0.4 * random()))::int)) k
       WHERE extract(isodow FROM d AT TIME ZONE 'Asia/Ho_Chi_Minh') < 6
         AND d + INTERVAL '7 hours 30 minutes' < now()`,
      [indicator, start, localDayStart(now), JSON.stringify(perAgency), wards, share],
    );
  }
  // the overdue stock, hourly, per agency: a slow drift, one agency often past its threshold
  await insert(
    'dossier_overdue',
    `INSERT INTO indicator_values (time, indicator_id, value, agency_id, dedupe_key, via, sender)
     SELECT h, 'dossier_overdue', greatest(0, round((abs(hashtext(a.id)) % 15) + 5 * sin(extract(epoch FROM h) / 86400.0) + 3 * random())),
       a.id, '|' || a.id || '||||', 'bench', 'bench'
     FROM generate_series(${TS(1)}, ${TS(2)}, INTERVAL '1 hour') h CROSS JOIN unnest($3::text[]) AS a(id)`,
    [start, Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS, agencies],
  );
  // mentions: MENTIONS_PER_DAY a day, 40 % of them in the evening (18–23 h), a quarter negative
  await insert(
    'online_mentions',
    `INSERT INTO indicator_values (time, indicator_id, value, topic, source, sentiment, via, sender)
     SELECT t, 'online_mentions', 1,
       (ARRAY['ngap-lut','giao-thong','moi-truong','dat-dai','y-te','giao-duc','an-ninh','du-lich','kinh-te','xay-dung','thoi-tiet','van-hoa'])[1 + floor(12 * power(random(), 1.6))::int],
       (ARRAY['facebook','baomoi','youtube','tiktok','forum','vnexpress'])[1 + floor(6 * random())::int],
       CASE WHEN r < 0.25 THEN 'negative' WHEN r < 0.8 THEN 'neutral' ELSE 'positive' END,
       'bench', 'bench'
     FROM (
       SELECT d + (CASE WHEN random() < 0.4 THEN 18 + 5 * random() ELSE 24 * random() END) * INTERVAL '1 hour' AS t, random() AS r
       FROM generate_series(${TS(1)}, ${TS(2)}, INTERVAL '1 day') d CROSS JOIN generate_series(1, $3::int)
     ) x WHERE t < now()`,
    [start, localDayStart(now), MENTIONS_PER_DAY],
  );
  // the statistics office: 24 months, 8 quarters, each a year before too (year on year), and plans
  const month = periodStart('monthly', now);
  const figures: [string, number, number][] = [];
  const base: Record<string, number> = {
    budget_revenue: 1200,
    retail_sales: 7000,
    cpi: 103,
    fdi_registered: 40,
    new_enterprises: 180,
  };
  for (let i = 1; i <= 36; i++) {
    const t = shiftPeriod('monthly', month, -i);
    for (const [id, b] of Object.entries(base))
      figures.push([id, t, b * (1 + 0.1 * Math.sin(i) + 0.002 * (36 - i))]);
  }
  const quarter = periodStart('quarterly', now);
  for (let i = 1; i <= 12; i++)
    figures.push(['grdp_growth', shiftPeriod('quarterly', quarter, -i), 6 + Math.sin(i)]);
  await insert(
    'socio-economic',
    `INSERT INTO indicator_values (time, indicator_id, value, dedupe_key, via, sender)
     SELECT to_timestamp(f.t / 1000), f.id, f.v, '||||||', 'bench', 'bench'
     FROM jsonb_to_recordset($1::jsonb) AS f(id text, t float8, v float8)`,
    [JSON.stringify(figures.map(([id, t, v]) => ({ id, t, v })))],
  );
  const year = new Date(now + 7 * HOUR_MS).getUTCFullYear();
  await db.query(
    `INSERT INTO indicator_plans (indicator_id, year, target, via)
     SELECT id, y, CASE WHEN id IN ('grdp_growth', 'cpi') THEN b ELSE 12 * b END, 'bench'
     FROM jsonb_to_recordset($1::jsonb) AS p(id text, b float8) CROSS JOIN unnest($2::int[]) AS y`,
    [
      JSON.stringify([...Object.entries(base), ['grdp_growth', 7]].map(([id, b]) => ({ id, b }))),
      [year - 1, year],
    ],
  );
  return counts;
}

/** The aggregates as the app leaves them: level by level (TimescaleDB), a month at a time. */
async function refresh(db: Db, now: number): Promise<void> {
  const from = Date.UTC(new Date(now).getUTCFullYear() - 4, 0, 1);
  const step = 30 * DAY_MS;
  for (const view of INDICATOR_AGGREGATES) {
    for (let t = from; t < now; t += step)
      await refreshAggregates(db, { from: t, to: Math.min(now, t + step) }, { only: [view] });
    log(`  aggregates: ${view} done`);
  }
  await refreshAggregates(
    db,
    { from: now - 2 * HOUR_MS, to: now },
    { closedOnly: true, only: INDICATOR_AGGREGATES },
  );
}

const ENDPOINTS = [
  'public-services/kpis',
  'public-services/series',
  'public-services/agencies',
  'public-services/wards',
  'online-information/kpis',
  'online-information/series',
  'online-information/topics',
  'online-information/sources',
  'socio-economic/indicators',
  'socio-economic/series?indicator=budget_revenue',
  'services-summary',
];

interface Row {
  backend: string;
  endpoint: string;
  days: number;
  p50: number;
  p95: number;
  max: number;
  items: number;
}

async function scenario(
  name: 'embedded' | 'services',
): Promise<{ rows: Row[]; counts: Record<string, number> }> {
  const { ioc, cleanups } = await startBenchIoc(name);
  try {
    const now = Date.now();
    log(`${name}: generating ${DAYS} days`);
    const t0 = performance.now();
    const counts = await generate(
      ioc.db,
      now,
      ioc.city.districts.map((d) => d.id),
    );
    log(`${name}: generated in ${((performance.now() - t0) / 1000).toFixed(0)} s; refreshing the aggregates`);
    const t1 = performance.now();
    await refresh(ioc.db, now);
    log(`${name}: refreshed in ${((performance.now() - t1) / 1000).toFixed(0)} s`);
    const leader = await loginAs(ioc, 'leader');
    const rows: Row[] = [];
    const time = async (endpoint: string, days: number, call: () => Promise<number>) => {
      await call(); // warm
      const ms: number[] = [];
      let items = 0;
      for (let i = 0; i < N; i++) {
        const s = performance.now();
        items = await call();
        ms.push(performance.now() - s);
      }
      const r = {
        backend: name,
        endpoint,
        days,
        p50: pct(ms, 50) ?? 0,
        p95: pct(ms, 95) ?? 0,
        max: Math.max(...ms),
        items,
      };
      rows.push(r);
      log(`  ${endpoint} ${days} d: p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms (${items} items)`);
    };
    const to = localDate(localDayStart(now) + DAY_MS);
    for (const days of PERIODS) {
      const from = localDate(localDayStart(now) + DAY_MS - days * DAY_MS);
      for (const e of ENDPOINTS)
        await time(e, days, async () => {
          const res = await leader.fetch(
            `/api/dashboard/${e}${e.includes('?') ? '&' : '?'}from=${from}&to=${to}`,
          );
          if (res.status !== 200) throw new Error(`${e}: ${res.status} ${await res.text()}`);
          return ((await res.json()) as { items: unknown[] }).items.length;
        });
    }
    // the tiles: computed at most once per 5 s for every console polling; the computation itself timed
    const q = servicesQueries(
      ioc.db,
      () => ioc.indicators.catalogue().indicators,
      (id) => ioc.indicators.received(id),
    );
    await time('services/tiles (computed)', 0, async () => (await q.computeTiles(Date.now())).length);
    // what the indicators module reads at start (7 days of events, every figure) and, on a server, every 30 s (1 h)
    const figureIds = [...ioc.indicators.catalogue().indicators.values()]
      .filter((d) => d.period === 'monthly' || d.period === 'quarterly')
      .map((d) => d.id);
    for (const [what, ms] of [
      ['start', RECEIVED_LOOKBACK_MS],
      ['every 30 s', HOUR_MS],
    ] as const)
      await time(`indicators: newest receipts (${what})`, 0, async () => {
        return (await latestReceived(ioc.db, { figureIds, eventsSince: Date.now() - ms })).size;
      });
    return { rows, counts };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const generated: Record<string, Record<string, number>> = {};
  for (const b of BACKENDS) {
    const r = await scenario(b);
    rows.push(...r.rows);
    generated[b] = r.counts;
  }
  const dir = path.join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'services.json'),
    JSON.stringify(
      { at: new Date().toISOString(), cpus: os.cpus().length, load: os.loadavg(), generated, rows },
      null,
      2,
    ),
  );
  console.table(
    rows.map((r) => ({
      backend: r.backend,
      endpoint: r.endpoint,
      days: r.days || '',
      'p50 ms': Math.round(r.p50),
      'p95 ms': Math.round(r.p95),
      'max ms': Math.round(r.max),
      items: r.items,
      [`≤ ${TARGET_MS}`]: r.p95 <= TARGET_MS ? 'PASS' : 'FAIL',
    })),
  );
  console.log(
    `generated: ${JSON.stringify(generated)}; load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (${os.cpus().length} cores)`,
  );
  process.exit(rows.filter((r) => r.backend === 'embedded').every((r) => r.p95 <= TARGET_MS) ? 0 : 1);
}

void main();
