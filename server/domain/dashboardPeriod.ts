import { DAY_MS, localDayEnd, localDayStart } from '#contract/cityTime.ts';
import type { DashboardPeriod } from '#contract/dashboardApi.ts';

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
