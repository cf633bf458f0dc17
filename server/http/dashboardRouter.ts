import { type Response, Router } from 'express';
import { z } from 'zod';
import type { CityModel } from '#contract/assets.ts';
import { DAY_MS, localDate, localDayEnd, localDayStart } from '#contract/cityTime.ts';
import { type DashboardPeriod, INCIDENT_SOURCES } from '#contract/dashboardApi.ts';
import { token } from '#contract/text.ts';
import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
import { dashboardPeriod } from '../domain/dashboardPeriod.ts';
import type { DashboardQueries } from '../store/dashboardRepo.ts';
import { toCsv } from './csv.ts';
import { HttpError } from './errors.ts';
import { parseQuery, QueryTime } from './query.ts';

const MAX_DAYS = 400;

const PeriodQuery = z.object({
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  district: token(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
const LimitQuery = PeriodQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(10) });
const ByQuery = PeriodQuery.extend({ by: z.enum(['category', 'district', 'source']).default('category') });

/**
 * The leaders' dashboard: `/api/dashboard/{summary,series,worst-segments,incidents-by,cameras,districts,calendar,
 * alarm-health,alarm-rate,alarm-sources}`.
 * Every endpoint takes `from`, `to` (ISO date/time or epoch ms; widened to whole local days; default the
 * last 7 days), `district`, and `format=csv`, and answers `{ period, items }` (CSV: one row per item).
 */
export function dashboardRouter(deps: {
  queries: DashboardQueries;
  city: () => CityModel;
  now?: () => number;
}): Router {
  const r = Router();
  const now = deps.now ?? Date.now;

  function period(q: z.output<typeof PeriodQuery>): DashboardPeriod {
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

  /**
   * One endpoint of the dashboard: the query parsed by `schema`, its period checked, the items asked
   * for, answered as `{ period, items }` or, with `format=csv`, as a CSV file of `columns` named
   * `ioc-<name>-<first day>_<last day>[-<district>].csv` (`name` is the path's, unless `fileName` says).
   */
  function endpoint<S extends z.ZodType<z.output<typeof PeriodQuery>>, T extends object>(
    path: string,
    schema: S,
    items: (p: DashboardPeriod, q: z.output<S>) => Promise<T[]>,
    columns: (keyof T & string)[],
    fileName: (q: z.output<S>) => string = () => path,
  ): void {
    r.get(`/api/dashboard/${path}`, async (req, res) => {
      const q = parseQuery(schema, req.query);
      const p = period(q);
      send(res, q.format, fileName(q), p, await items(p, q), columns);
    });
  }

  function send<T extends object>(
    res: Response,
    format: 'json' | 'csv',
    name: string,
    p: DashboardPeriod,
    items: T[],
    columns: (keyof T & string)[],
  ): void {
    res.set('Cache-Control', 'no-cache');
    if (format === 'csv') {
      const file = `ioc-${name}-${localDate(p.from)}_${localDate(p.to - DAY_MS)}${p.district ? `-${p.district}` : ''}.csv`;
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="${file}"`);
      res.send(toCsv(items, columns));
      return;
    }
    res.json({ period: p, items });
  }

  /** the districts a period covers: all of them, or the one it is narrowed to */
  const districtsOf = (p: DashboardPeriod) =>
    deps.city().districts.filter((d) => !p.district || d.id === p.district);

  endpoint('summary', PeriodQuery, (p) => deps.queries.summary(p), [
    'key',
    'group',
    'unit',
    'value',
    'previous',
    'delta',
    'deltaRatio',
  ]);

  endpoint('series', PeriodQuery, (p) => deps.queries.series(p), [
    'day',
    't',
    'avgSpeedKmh',
    'peakSpeedKmh',
    'congestedHours',
    'received',
    'resolved',
    'cameraAvailability',
  ]);

  endpoint('worst-segments', LimitQuery, (p, q) => deps.queries.worstSegments(p, q.limit), [
    'rank',
    'segmentId',
    'name',
    'districtId',
    'speedLimitKmh',
    'avgSpeedKmh',
    'peakSpeedKmh',
    'speedRatio',
    'congestedHours',
    'hours',
  ]);

  endpoint(
    'incidents-by',
    ByQuery,
    (p, q) => {
      const keys =
        q.by === 'category'
          ? INCIDENT_CATEGORIES
          : q.by === 'source'
            ? INCIDENT_SOURCES
            : districtsOf(p).map((d) => d.id);
      return deps.queries.incidentsBy(p, q.by, keys);
    },
    [
      'key',
      'received',
      'resolved',
      'resolvedOnTime',
      'onTimeRate',
      'ackMedianMin',
      'resolveMedianMin',
      'open',
    ],
    (q) => `incidents-by-${q.by}`,
  );

  endpoint('cameras', LimitQuery, (p, q) => deps.queries.cameras(p, q.limit), [
    'rank',
    'cameraId',
    'name',
    'districtId',
    'availability',
    'hours',
  ]);

  endpoint('districts', PeriodQuery, (p) => deps.queries.districts(p, districtsOf(p)), [
    'districtId',
    'name',
    'received',
    'resolved',
    'onTimeRate',
    'avgSpeedKmh',
    'congestedHours',
    'congestionShare',
    'cameraAvailability',
  ]);

  // the year of days ending with the period (or the period, when longer): the calendar heatmap
  endpoint(
    'calendar',
    PeriodQuery,
    (p) =>
      deps.queries.calendar({ from: Math.min(p.from, p.to - 365 * DAY_MS), to: p.to, district: p.district }),
    ['day', 't', 'received'],
  );

  // the alarm system's health (EEMUA 191): figures against their targets, the rate per 10 minutes, the
  // most frequent sources
  endpoint('alarm-health', PeriodQuery, (p) => deps.queries.alarmHealth(p), [
    'key',
    'unit',
    'value',
    'previous',
    'delta',
    'deltaRatio',
    'target',
    'withinTarget',
  ]);

  endpoint('alarm-rate', PeriodQuery, (p) => deps.queries.alarmRate(p), [
    't',
    'raised',
    'perPosition',
    'flood',
  ]);

  endpoint('alarm-sources', LimitQuery, (p, q) => deps.queries.alarmSources(p, q.limit), [
    'rank',
    'key',
    'rule',
    'assetId',
    'name',
    'detail',
    'wardId',
    'raised',
    'chattering',
    'lastRaisedAt',
  ]);

  return r;
}
