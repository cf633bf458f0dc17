import { consoleLogger, type Db, maintenanceOf, type StoreLogger } from './db.ts';

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
  // the indicator feed (sql/014): indicator_1d rolls indicator_1h up
  'indicator_1h',
  'indicator_1d',
] as const;
export type ContinuousAggregate = (typeof CONTINUOUS_AGGREGATES)[number];
/** The indicator feed's aggregates (sql/014), in dependency order. */
export const INDICATOR_AGGREGATES = ['indicator_1h', 'indicator_1d'] as const satisfies ContinuousAggregate[];
const DAILY = new Set<string>([
  'traffic_1d',
  'camera_availability_1d',
  'traffic_district_1d',
  'camera_availability_district_1d',
  'indicator_1d',
]);
const BUCKET: Record<string, number> = { traffic_5m: 5 * 60_000 };
// The window of one refresh call. Every call runs through the maintenance lane, so on the embedded
// database ingest and health checks wait for at most one call: a window with nothing new costs ~30 ms,
// materialising an hour of raw readings ~5 s per million rows (PGlite, dev machine). A window is never
// smaller than one bucket (TimescaleDB refuses it), so a day's step is the daily views' unit.
// The indicators' hourly view holds thousands of rows a day, not millions: a day per call.
const STEP: Record<string, number> = { traffic_5m: 15 * 60_000, indicator_1h: DAY };
const STEP_HOURLY = H;
// How often the refresher materialises today's daily buckets again (each view's a step reading today's
// closed hours, and through real-time aggregation the current hour's 5-minute buckets and the raw
// readings of the one still filling, tens of microseconds each on PGlite): once per 5-minute bucket, on the first run
// after it closes, when those raw readings are fewest.
const TODAY_EVERY = 5 * 60_000;
// The refresher's runs start this long after each multiple of its interval on the clock: seconds after
// a 5-minute bucket closed (readings a little late are folded in by the next run).
const TICK_DELAY = 3_000;

/** Options of a refresh done in steps. */
export interface StepOptions {
  /** checked between steps: a stop does not wait for the rest of a long refresh */
  signal?: AbortSignal;
  /** after each step (one statement), e.g. to show progress */
  onStep?: (step: { view: string; from: number | null; to: number | null }) => void;
}

/** Options of `refreshAggregates`. */
export interface RefreshOptions extends StepOptions {
  /** only closed buckets (see refreshAggregates) */
  closedOnly?: boolean;
  /**
   * with closedOnly: materialise the daily views' day that holds `to` again (default true); false
   * leaves that day out (plain PostgreSQL: its daily tables)
   */
  today?: boolean;
  /** just these (TimescaleDB; in dependency order) */
  only?: readonly ContinuousAggregate[];
}

/** [from, to) cut into windows of `step` aligned to `offset`; one open window when an end is open. */
function windows(
  from: number | null,
  to: number | null,
  step: number,
  offset: number,
): [number | null, number | null][] {
  if (from === null || to === null) return [[from, to]];
  const out: [number, number][] = [];
  for (let a = from; a < to; ) {
    const b = Math.min(to, Math.floor((a + offset) / step) * step - offset + step);
    out.push([a, b]);
    a = b;
  }
  return out;
}

/**
 * Materialises the continuous aggregates for [from, to) (widened to whole hours, and whole local days
 * for the daily ones; open ends = all). Without TimescaleDB the hourly ones are plain views (but the
 * indicators' closed hours, sql/018) and only the dashboard's daily tables, and the indicators' hours of
 * those days, are recomputed. Never call it inside a transaction.
 *
 * `closedOnly` (the app's refresher): only closed buckets, except the daily ones' local day that holds
 * `to`, which is materialised again (`force`) unless `today` is false: read through real-time
 * aggregation it cost every dashboard request a pass over up to 24 x segments hourly rows (late in the
 * day on PGlite, more than the rest of the request), now once per refresh that does it; the dashboard's
 * today is as old as that (the app's refresher: 5 minutes). `only`: just these (TimescaleDB; in
 * dependency order).
 */
export async function refreshAggregates(
  db: Db,
  range: { from?: number; to?: number } = {},
  opts: RefreshOptions = {},
): Promise<void> {
  const m = maintenanceOf(db);
  const step = async (view: string, from: number | null, to: number | null, sql: string) => {
    opts.signal?.throwIfAborted();
    await m.query(sql, [from, to]);
    opts.onStep?.({ view, from, to });
  };
  // The daily ones through sql/011's wrapper (no nested-loop joins); it turns them back on after the
  // refresh, and here when the refresh failed half-way.
  const refresh = async (view: string, from: number | null, to: number | null, force = false) => {
    const window = 'to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000)';
    if (!DAILY.has(view))
      return step(view, from, to, `CALL refresh_continuous_aggregate('${view}', ${window})`);
    try {
      await step(view, from, to, `CALL ioc_refresh_daily_aggregate('${view}', ${window}, force => ${force})`);
    } catch (e) {
      await m.query('RESET enable_nestloop').catch(() => {});
      throw e;
    }
  };
  if (!db.timescale) {
    // plain PostgreSQL: the hourly ones are views; the daily ones are tables filled by this function,
    // a local day per call; the day holding `to` only when `today` (closedOnly) is not false. Just the
    // indicators' (`only`): their own function (the dashboard's one recomputes every segment's day too).
    const fn = opts.only?.every((v) => v.startsWith('indicator_'))
      ? 'refresh_indicator_aggregates'
      : 'refresh_dashboard_aggregates';
    const { from, to: end } = widen(range, DAY, LOCAL_OFFSET);
    const to =
      opts.closedOnly && opts.today === false && end !== null && range.to !== undefined
        ? Math.min(end, Math.floor((range.to + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET)
        : end;
    if (from !== null && to !== null && to <= from) return;
    for (const [a, b] of windows(from, to, DAY, LOCAL_OFFSET))
      await step(
        'dashboard',
        a ?? range.from ?? null,
        b ?? range.to ?? null,
        `SELECT ${fn}(to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000))`,
      );
    return;
  }
  const views = opts.only ?? CONTINUOUS_AGGREGATES;
  for (const view of views) {
    const daily = DAILY.has(view);
    const { from, to } = daily
      ? widen(range, DAY, LOCAL_OFFSET, opts.closedOnly)
      : // whole hours (the 5-minute one too), but with closedOnly up to its own last closed bucket
        widen(range, H, 0, opts.closedOnly, BUCKET[view]);
    if (from !== null && to !== null && to <= from) continue; // no closed bucket in the window yet
    // one statement per call: PGlite refuses refresh_continuous_aggregate inside a multi-statement exec
    for (const [a, b] of windows(
      from,
      to,
      daily ? DAY : (STEP[view] ?? STEP_HOURLY),
      daily ? LOCAL_OFFSET : 0,
    ))
      await refresh(view, a, b);
  }
  if (opts.closedOnly && opts.today !== false && range.to !== undefined) {
    const day = Math.floor((range.to + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET;
    for (const view of views.filter((v) => DAILY.has(v))) await refresh(view, day, day + DAY, true);
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

/**
 * Runs the compression and retention policies once: what TimescaleDB's background workers do on a
 * server. Compressing is the heavy part (a day's chunk at a time): the chunks a compression policy
 * would compress are compressed one per step first, so that the jobs themselves then find little to do.
 */
export async function runPolicies(db: Db, opts: StepOptions = {}): Promise<{ compressedChunks: number }> {
  let compressedChunks = 0;
  if (!db.timescale) return { compressedChunks };
  const m = maintenanceOf(db);
  const jobs = await m.query<{
    job_id: number;
    proc: string;
    schema: string;
    name: string;
    after: string | null;
  }>(
    `SELECT job_id, proc_name AS proc, hypertable_schema AS schema, hypertable_name AS name,
       config->>'compress_after' AS after
     FROM timescaledb_information.jobs
     WHERE proc_name IN ('policy_compression', 'policy_retention') ORDER BY job_id`,
  );
  for (const j of jobs.rows) {
    if (j.proc !== 'policy_compression' || j.after === null) continue;
    // a continuous aggregate's policy names the view; its chunks are its materialisation's
    const due = await m.query<{ chunk: string }>(
      `SELECT format('%I.%I', c.chunk_schema, c.chunk_name) AS chunk
       FROM timescaledb_information.chunks c
       LEFT JOIN timescaledb_information.continuous_aggregates a ON a.view_schema = $1 AND a.view_name = $2
       WHERE c.hypertable_schema = coalesce(a.materialization_hypertable_schema, $1)
         AND c.hypertable_name = coalesce(a.materialization_hypertable_name, $2)
         AND NOT c.is_compressed AND c.range_end <= now() - $3::interval
       ORDER BY c.range_start`,
      [j.schema, j.name, j.after],
    );
    for (const { chunk } of due.rows) {
      opts.signal?.throwIfAborted();
      await m.query('SELECT compress_chunk($1::regclass, if_not_compressed => true)', [chunk]);
      compressedChunks++;
      opts.onStep?.({ view: chunk, from: null, to: null });
    }
  }
  for (const { job_id } of jobs.rows) {
    opts.signal?.throwIfAborted();
    await m.query('CALL run_job($1)', [job_id]);
    opts.onStep?.({ view: `job ${job_id}`, from: null, to: null });
  }
  return { compressedChunks };
}

/**
 * For the embedded database, which runs no background jobs: refreshes the aggregates every
 * `intervalMs` (on the clock, a few seconds past) over the last `windowMs` (2 h), today's daily
 * buckets once per 5 minutes. The first run and one an hour cover `catchUpMs` (7 days) so late or
 * backfilled readings are folded in, and run compression and retention.
 * Errors are logged; the timer never throws. Every step runs through the maintenance lane
 * (`Db.maintenance`): on the embedded database a write or a health check waits for one step at most.
 */
export function startAggregateRefresher(
  db: Db,
  intervalMs = 60_000,
  opts: { windowMs?: number; catchUpMs?: number; logger?: StoreLogger; now?: () => number } = {},
): { idle(): Promise<void>; stop(): Promise<void> } {
  const log = opts.logger ?? consoleLogger;
  const now = opts.now ?? Date.now;
  const catchUpEvery = Math.max(1, Math.round(H / intervalMs));
  let ticks = 0;
  let todayDone: number | undefined; // the TODAY_EVERY period in which today's daily buckets were last done
  let running: Promise<void> | undefined;
  let stopped = false;
  // a stop ends a refresh at its next step instead of waiting for a week's catch-up
  const abort = new AbortController();

  const tick = () => {
    if (running || stopped) return; // a slow refresh is not stacked on by the next tick
    const catchUp = ticks++ % catchUpEvery === 0;
    const t = now();
    const period = Math.floor(t / TODAY_EVERY);
    // not on every catch-up run: at a random point of its 5-minute bucket, up to 5 minutes of raw readings
    const today = period !== todayDone;
    running = (async () => {
      try {
        await refreshAggregates(
          db,
          { from: t - (catchUp ? (opts.catchUpMs ?? 7 * 24 * H) : (opts.windowMs ?? 2 * H)), to: t },
          { closedOnly: true, today, signal: abort.signal },
        );
        if (today) todayDone = period;
        if (catchUp) {
          const { compressedChunks } = await runPolicies(db, { signal: abort.signal });
          // once an hour: says when the week's refresh and the policies have run (what a first start waits on)
          log.info?.({ ms: Math.round(now() - t), compressedChunks }, 'maintenance catch-up done');
        }
      } catch (err) {
        if (!stopped) log.warn({ err }, 'aggregate refresh failed');
      } finally {
        running = undefined;
      }
    })();
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    const wait = (((TICK_DELAY - Date.now()) % intervalMs) + intervalMs) % intervalMs || intervalMs;
    timer = setTimeout(() => {
      tick();
      schedule();
    }, wait);
    timer.unref();
  };
  tick();
  schedule();
  return {
    /** resolves when no refresh is running (after the first one, started at once) */
    async idle() {
      await running;
    },
    /** ends a refresh in progress at its next step */
    async stop() {
      stopped = true;
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
