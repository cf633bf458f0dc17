import { DAY_MS, type DashboardPeriod, LOCAL_OFFSET_MS } from '../contracts/dashboardApi.ts';

/** Local midnight (UTC+7) at or before `ms`. */
export function localDayStart(ms: number): number {
  return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
}

/** Local midnight at or after `ms`. */
export function localDayEnd(ms: number): number {
  return Math.ceil((ms + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
}

/** The local date (YYYY-MM-DD) of an instant. */
export function localDate(ms: number): string {
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The dashboard's period for a request: [from, to) widened to whole local days, `until` = min(to, now),
 * and the previous period of the same length (cut at the same elapsed time for event counts).
 */
export function dashboardPeriod(
  q: { from: number; to: number; district?: string },
  now: number,
): DashboardPeriod {
  const from = localDayStart(q.from);
  const to = Math.max(localDayEnd(q.to), from + DAY_MS);
  const until = Math.max(from, Math.min(to, now));
  const previousFrom = from - (to - from);
  return {
    from,
    to,
    until,
    previousFrom,
    previousUntil: previousFrom + (until - from),
    days: Math.round((to - from) / DAY_MS),
    district: q.district ?? null,
  };
}
