import type { Router } from 'express';
import { z } from 'zod';
import type { CityModel } from '#contract/assets.ts';
import { DAY_MS } from '#contract/cityTime.ts';
import { type DashboardPeriod, INCIDENT_SOURCES } from '#contract/dashboardApi.ts';
import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
import type { DashboardQueries } from '../store/dashboardRepo.ts';
import { dashboardEndpoints, PeriodQuery } from './dashboardEndpoint.ts';

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
  const { router: r, endpoint } = dashboardEndpoints(deps);

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
