import type { Bus } from '../bus.ts';
import { catalogueOf, EMPTY_CATALOGUE, type IndicatorCatalogue } from '../domain/indicatorCatalogue.ts';
import type { IocModule, ModuleDeps } from '../modules/module.ts';
import { INDICATOR_AGGREGATES, refreshAggregates } from '../store/aggregates.ts';
import type { Db } from '../store/db.ts';
import { latestReceived, listAgencies, listIndicators } from '../store/indicatorsRepo.ts';

const H = 3_600_000;
/** How often the catalogue is read again (an admin's change on another instance shows within this). */
const RELOAD_MS = 30_000;
/** How long late values are gathered before their hours are folded into the aggregates. */
const REFRESH_DEBOUNCE_MS = 2_000;
/**
 * How far back (by value time) the newest receipts of events and hourly or daily figures are read at start:
 * one indicator silent longer has no receipt time (the services fall back to its newest bucket).
 */
export const RECEIVED_LOOKBACK_MS = 7 * 24 * H;

export interface IndicatorsModule extends IocModule {
  /** the catalogue ingest checks values against now */
  catalogue(): IndicatorCatalogue;
  /** reads the catalogue, the agencies and the city's wards from the database */
  load(): Promise<void>;
  /**
   * Folds values stored at these times into the indicator aggregates now: the closed hours among them and
   * their local days (the current hour shows through real-time aggregation).
   */
  refreshFor(times: readonly number[]): Promise<void>;
  /**
   * When the indicator's newest value was received (stored, or a figure revised), epoch ms; null: not
   * since RECEIVED_LOOKBACK_MS (events) or ever (monthly, quarterly figures). Read at start, then followed
   * on ingest (and read again with the catalogue on a server database, where other instances ingest too).
   */
  received(indicatorId: string): number | null;
}

/** Hours [start, end) that cover `times` before `before`, merged where they touch. */
export function closedHourRuns(times: readonly number[], before: number): [number, number][] {
  const hours = [...new Set(times.filter((t) => t < before).map((t) => Math.floor(t / H) * H))].sort(
    (a, b) => a - b,
  );
  const runs: [number, number][] = [];
  for (const h of hours) {
    const last = runs.at(-1);
    if (last && last[1] === h) last[1] = h + H;
    else runs.push([h, h + H]);
  }
  return runs;
}

/**
 * The indicator feed's module (issue 14): keeps the catalogue that ingest checks values against (read at
 * start, again every 30 s and after an admin's change), and folds late values into the aggregates. The
 * aggregates' refresher and TimescaleDB's policies look back a few days at most; a figure for a past month
 * (a CSV import, a statistics office's late report) lies below the aggregates' watermark and would not show
 * until refreshed: the hours and days it touched are refreshed seconds after it is stored.
 */
export function indicatorsModule(o: { db: Db; wards: () => string[]; now?: () => number }): IndicatorsModule {
  const now = o.now ?? Date.now;
  let current: IndicatorCatalogue = EMPTY_CATALOGUE;
  let bus: Bus | undefined;
  let log: ModuleDeps['log'] | undefined;
  let timer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let late: number[] = [];
  let refreshing: Promise<void> = Promise.resolve();
  const received = new Map<string, number>();
  const noteReceived = (id: string, t: number) => {
    if (t > (received.get(id) ?? Number.NEGATIVE_INFINITY)) received.set(id, t);
  };
  // At start over RECEIVED_LOOKBACK_MS, then with the catalogue on a server over the last hour only (what
  // another instance took since: events are timed about when they are sent): the time index, and every
  // month's and quarter's figure (a few dozen rows a year each), a few ms.
  const readReceived = async (lookback: number) => {
    const figureIds = [...current.indicators.values()]
      .filter((d) => d.period === 'monthly' || d.period === 'quarterly')
      .map((d) => d.id);
    const seen = await latestReceived(o.db, { figureIds, eventsSince: now() - lookback });
    for (const [id, t] of seen) noteReceived(id, t);
  };

  const load = async () => {
    const [defs, agencies] = await Promise.all([listIndicators(o.db), listAgencies(o.db)]);
    current = catalogueOf(
      defs,
      o.wards(),
      agencies.filter((a) => !a.disabled).map((a) => a.id),
    );
  };

  const refreshFor = (times: readonly number[]): Promise<void> => {
    const runs = closedHourRuns(times, Math.floor(now() / H) * H);
    if (!runs.length) return refreshing;
    // one refresh at a time: a CSV import waits for the one before it
    // (hours all closed; the daily view's whole local days: today's too, which the refresher forces anyway)
    refreshing = refreshing
      .catch(() => {})
      .then(async () => {
        for (const [from, to] of runs)
          await refreshAggregates(o.db, { from, to }, { only: INDICATOR_AGGREGATES });
      });
    return refreshing;
  };

  return {
    name: 'indicators',
    catalogue: () => current,
    load,
    refreshFor,
    received: (id) => received.get(id) ?? null,
    async start(deps) {
      bus = deps.bus;
      log = deps.log;
      if (current === EMPTY_CATALOGUE) await load();
      await readReceived(RECEIVED_LOOKBACK_MS);
      timer = setInterval(() => {
        load().catch((err) => log?.warn({ err }, 'reading the indicator catalogue failed'));
        // the embedded database has one instance, whose ingest this follows
        if (o.db.kind !== 'pglite')
          readReceived(H).catch((err) => log?.warn({ err }, 'reading the indicator receipts failed'));
      }, RELOAD_MS);
      timer.unref();
      bus.on('ingest:written', 'indicators', ({ batch, indicatorStatus }) => {
        if (batch.indicators.length === 0) return;
        // stored or revised just now (received_at = the write's now()); duplicates leave theirs; plans are not values
        const at = now();
        for (const r of indicatorStatus.keys()) if (r.kind !== 'plan') noteReceived(r.indicatorId, at);
        const hour = Math.floor(now() / H) * H;
        for (const r of batch.indicators) if (r.time < hour && r.kind !== 'plan') late.push(r.time);
        if (late.length === 0 || debounce) return;
        debounce = setTimeout(() => {
          debounce = undefined;
          const times = late;
          late = [];
          refreshFor(times).catch((err) => log?.warn({ err }, 'refreshing the indicator aggregates failed'));
        }, REFRESH_DEBOUNCE_MS);
        debounce.unref();
      });
    },
    async stop() {
      bus?.removeAll('indicators');
      clearInterval(timer);
      clearTimeout(debounce);
      await refreshing.catch(() => {});
    },
  };
}
