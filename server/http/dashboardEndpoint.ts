import { type Response, Router } from 'express';
import { z } from 'zod';
import type { CityModel } from '#contract/assets.ts';
import { DAY_MS, localDate, localDayEnd, localDayStart } from '#contract/cityTime.ts';
import type { DashboardPeriod } from '#contract/dashboardApi.ts';
import { token } from '#contract/text.ts';
import { dashboardPeriod } from '../domain/dashboardPeriod.ts';
import { toCsv } from './csv.ts';
import { HttpError } from './errors.ts';
import { parseQuery, QueryTime } from './query.ts';
import { documented } from './routeDoc.ts';

const MAX_DAYS = 400;

/** The query every dashboard endpoint takes. */
export const PeriodQuery = z.object({
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  district: token(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type PeriodQueryOutput = z.output<typeof PeriodQuery>;

/**
 * The machinery of the leaders' dashboard endpoints, shared by its routers (traffic and incidents, the
 * services on the indicator feed): the period of a request and its answer as `{ period, items }` or CSV.
 */
export function dashboardEndpoints(deps: { city: () => CityModel; now?: () => number }) {
  const r = Router();
  const now = deps.now ?? Date.now;

  /** `from`, `to` (default the last 7 days) checked and widened to whole local days, `district` known. */
  function period(q: PeriodQueryOutput): DashboardPeriod {
    const t = now();
    const to = q.to ?? localDayEnd(t + 1);
    const from = q.from ?? to - 7 * DAY_MS;
    if (from >= to) throw new HttpError(400, 'bad_query', '`from` must be before `to`');
    if (localDayEnd(to) - localDayStart(from) > MAX_DAYS * DAY_MS)
      throw new HttpError(400, 'bad_query', `a period is at most ${MAX_DAYS} days`);
    if (q.district !== undefined && !deps.city().districts.some((d) => d.id === q.district))
      throw new HttpError(404, 'unknown_district', `district ${q.district} is not in the city model`);
    return dashboardPeriod({ from, to, district: q.district }, t);
  }

  /** Answers `{ period, items, ...extra }` or, with `format=csv`, the items as a CSV file of `columns`. */
  function send<T extends object>(
    res: Response,
    format: 'json' | 'csv',
    name: string,
    p: DashboardPeriod,
    items: T[],
    columns: (keyof T & string)[],
    extra: object = {},
  ): void {
    res.set('Cache-Control', 'no-cache');
    if (format === 'csv') {
      const file = `ioc-${name}-${localDate(p.from)}_${localDate(p.to - DAY_MS)}${p.district ? `-${p.district}` : ''}.csv`;
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="${file}"`);
      res.send(toCsv(items, columns));
      return;
    }
    res.json({ period: p, items, ...extra });
  }

  /**
   * One endpoint of the dashboard: the query parsed by `schema`, its period checked, the items asked
   * for, answered as `{ period, items }` or, with `format=csv`, as a CSV file of `columns` named
   * `ioc-<name>-<first day>_<last day>[-<district>].csv` (`name` is the path's, unless `fileName` says).
   */
  function endpoint<S extends z.ZodType<PeriodQueryOutput>, T extends object>(
    path: string,
    schema: S,
    items: (p: DashboardPeriod, q: z.output<S>) => Promise<T[]>,
    columns: (keyof T & string)[],
    fileName: (q: z.output<S>) => string = () => path.replaceAll('/', '-'),
  ): void {
    const doc = { summary: `Dashboard: ${path} as { period, items }, or CSV`, query: schema };
    r.get(
      `/api/dashboard/${path}`,
      documented(doc, async (req, res) => {
        const q = parseQuery(schema, req.query);
        const p = period(q);
        send(res, q.format, fileName(q), p, await items(p, q), columns);
      }),
    );
  }

  return { router: r, period, send, endpoint };
}
