import { consoleLogger, type Db, type StoreLogger } from './db.ts';

const H = 3_600_000;
const DAY = 24 * H;
// The city's local day (UTC+7, no DST): the daily aggregates' buckets start at local midnight.
const LOCAL_OFFSET = 7 * H;
// In dependency order: traffic_1h rolls up traffic_5m, the daily ones (sql/007) the hourly ones, the
// district ones (sql/010) the daily ones.
export const CONTINUOUS_AGGREGATES = [
  'traffic_5m',
  'traffic_1h',
  'camera_availability_1h',
  'traffic_1d',
  'camera_availability_1d',
  'traffic_district_1d',
  'camera_availability_district_1d',
] as const;
export type ContinuousAggregate = (typeof CONTINUOUS_AGGREGATES)[number];
const DAILY = new Set<string>([
  'traffic_1d',
  'camera_availability_1d',
  'traffic_district_1d',
  'camera_availability_district_1d',
]);
const BUCKET: Record<string, number> = { traffic_5m: 5 * 60_000 };

/**
 * Materialises the continuous aggregates for [from, to) (widened to whole hours, and whole local days
 * for the daily ones; open ends = all). Without TimescaleDB the hourly ones are plain views and only
 * the dashboard's daily tables are recomputed. Never call it inside a transaction.
 *
 * `closedOnly` (the app's refresher): only closed buckets, except the daily ones' local day that holds
 * `to`, which is materialised again every time (`force`): read through real-time aggregation it cost
 * every dashboard request a pass over up to 24 x segments hourly rows (late in the day on PGlite, more
 * than the rest of the request), now once per refresh; the dashboard's today is as old as the last
 * refresh (a minute). `only`: just these (TimescaleDB; in dependency order).
 */
export async function refreshAggregates(
  db: Db,
  range: { from?: number; to?: number } = {},
  opts: { closedOnly?: boolean; only?: readonly ContinuousAggregate[] } = {},
): Promise<void> {
  if (!db.timescale) {
    // plain PostgreSQL: the hourly ones are views; the daily ones are tables filled by this function
    await db.query(
      'SELECT refresh_dashboard_aggregates(to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000))',
      [range.from ?? null, range.to ?? null],
    );
    return;
  }
  const views = opts.only ?? CONTINUOUS_AGGREGATES;
  for (const view of views) {
    const { from, to } = DAILY.has(view)
      ? widen(range, DAY, LOCAL_OFFSET, opts.closedOnly)
      : // whole hours (the 5-minute one too), but with closedOnly up to its own last closed bucket
        widen(range, H, 0, opts.closedOnly, BUCKET[view]);
    if (from !== null && to !== null && to <= from) continue; // no closed bucket in the window yet
    // One statement per call: PGlite refuses refresh_continuous_aggregate inside a multi-statement exec.
    await db.query(
      `CALL refresh_continuous_aggregate('${view}', to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000))`,
      [from, to],
    );
  }
  if (opts.closedOnly && range.to !== undefined) {
    const day = Math.floor((range.to + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET;
    for (const view of views.filter((v) => DAILY.has(v)))
      await db.query(
        `CALL refresh_continuous_aggregate('${view}', to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000), force => true)`,
        [day, day + DAY],
      );
  }
}

/**
 * [from, to) widened to whole buckets of `size` starting at `offset` before UTC midnight; open ends
 * stay open. `closedOnly`: `to` goes back to the start of its bucket instead, so the bucket still
 * filling is left to real-time aggregation (materialising it would hide readings written after).
 */
export function widen(
  range: { from?: number; to?: number },
  size: number,
  offset: number,
  closedOnly = false,
  bucket = size,
) {
  const from = range.from === undefined ? null : Math.floor((range.from + offset) / size) * size - offset;
  let to =
    range.to === undefined
      ? null
      : closedOnly
        ? Math.floor((range.to + offset) / bucket) * bucket - offset
        : Math.ceil((range.to + offset) / size) * size - offset;
  // TimescaleDB refuses a window smaller than one bucket.
  if (!closedOnly && from !== null && to !== null && to - from < size) to = from + size;
  return { from, to };
}

/** Runs the compression and retention policies once: what TimescaleDB's background workers do on a server. */
export async function runPolicies(db: Db): Promise<void> {
  if (!db.timescale) return;
  const jobs = await db.query<{ job_id: number }>(
    `SELECT job_id FROM timescaledb_information.jobs
     WHERE proc_name IN ('policy_compression', 'policy_retention') ORDER BY job_id`,
  );
  for (const { job_id } of jobs.rows) await db.query('CALL run_job($1)', [job_id]);
}

/**
 * For the embedded database, which runs no background jobs: refreshes the aggregates every
 * `intervalMs` over the last `windowMs` (2 h). The first run and one an hour cover `catchUpMs`
 * (7 days) so late or backfilled readings are folded in, and run compression and retention.
 * Errors are logged; the timer never throws.
 */
export function startAggregateRefresher(
  db: Db,
  intervalMs = 60_000,
  opts: { windowMs?: number; catchUpMs?: number; logger?: StoreLogger; now?: () => number } = {},
): { stop(): Promise<void> } {
  const log = opts.logger ?? consoleLogger;
  const now = opts.now ?? Date.now;
  const catchUpEvery = Math.max(1, Math.round(H / intervalMs));
  let ticks = 0;
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = () => {
    if (running || stopped) return; // a slow refresh is not stacked on by the next tick
    const catchUp = ticks++ % catchUpEvery === 0;
    const t = now();
    running = (async () => {
      try {
        await refreshAggregates(
          db,
          { from: t - (catchUp ? (opts.catchUpMs ?? 7 * 24 * H) : (opts.windowMs ?? 2 * H)), to: t },
          { closedOnly: true },
        );
        if (catchUp) await runPolicies(db);
      } catch (err) {
        if (!stopped) log.warn({ err }, 'aggregate refresh failed');
      } finally {
        running = undefined;
      }
    })();
  };

  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
