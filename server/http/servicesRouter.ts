import type { Router } from 'express';
import { z } from 'zod';
import type { CityModel } from '#contract/assets.ts';
import type { ServiceTilesResponse } from '#contract/servicesApi.ts';
import { token } from '#contract/text.ts';
import type { ServicesQueries } from '../store/servicesRepo.ts';
import { dashboardEndpoints, PeriodQuery } from './dashboardEndpoint.ts';
import { HttpError } from './errors.ts';
import { parseQuery } from './query.ts';

/** How long computed tiles are answered again: every wall console polls them. */
const TILES_TTL_MS = 5_000;

const LimitQuery = PeriodQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(20) });
const SeriesQuery = PeriodQuery.extend({ indicator: token(64) });

const DOSSIER_COLUMNS = [
  'rank',
  'id',
  'nameVi',
  'nameEn',
  'received',
  'receivedOnline',
  'resolvedOnTime',
  'resolvedLate',
  'returned',
  'onTimeRate',
  'onlineShare',
  'overdueNow',
  'level',
] as const;
const KPI_COLUMNS = ['key', 'group', 'unit', 'value', 'previous', 'delta', 'deltaRatio', 'level'] as const;
const MENTION_COLUMNS = [
  'rank',
  'id',
  'mentions',
  'positive',
  'neutral',
  'negative',
  'negativeShare',
  'previous',
  'baselineRatio',
  'level',
] as const;

/**
 * The three services on the indicator feed (issue 14): the console's tiles (`GET /api/services/tiles`) and
 * the dashboard's tabs, `/api/dashboard/public-services/{kpis,series,agencies,wards}`,
 * `/api/dashboard/online-information/{kpis,series,topics,sources}`, `/api/dashboard/socio-economic/
 * {indicators,series}` and `/api/dashboard/services-summary`, with the other dashboard endpoints' query
 * (`from`, `to`, `format=csv`) and answer (`{ period, items }`).
 */
export function servicesRouter(deps: {
  queries: ServicesQueries;
  city: () => CityModel;
  now?: () => number;
}): Router {
  const now = deps.now ?? Date.now;
  const { router: r, endpoint, period, send } = dashboardEndpoints(deps);

  // one computation at a time, answered to every poll within its TTL
  let tiles: { at: number; answer: Promise<ServiceTilesResponse> } | undefined;
  r.get('/api/services/tiles', async (_req, res) => {
    const t = now();
    if (!tiles || t - tiles.at >= TILES_TTL_MS) {
      const answer = deps.queries.tiles(t).then((items) => ({ at: t, items }));
      tiles = { at: t, answer };
      answer.catch(() => {
        if (tiles?.answer === answer) tiles = undefined;
      });
    }
    res.set('Cache-Control', 'no-cache');
    res.json(await tiles.answer);
  });

  endpoint('public-services/kpis', PeriodQuery, (p) => deps.queries.publicKpis(p), [...KPI_COLUMNS]);
  endpoint('public-services/series', PeriodQuery, (p) => deps.queries.dossierSeries(p), [
    'day',
    't',
    'received',
    'resolvedOnTime',
    'resolvedLate',
    'returned',
    'onTimeRate',
  ]);
  endpoint('public-services/agencies', PeriodQuery, (p) => deps.queries.agencies(p), [...DOSSIER_COLUMNS]);
  endpoint(
    'public-services/wards',
    PeriodQuery,
    (p) =>
      deps.queries.wards(
        p,
        deps.city().districts.filter((d) => !p.district || d.id === p.district),
      ),
    [...DOSSIER_COLUMNS],
  );

  endpoint('online-information/kpis', PeriodQuery, (p) => deps.queries.onlineKpis(p), [...KPI_COLUMNS]);
  endpoint('online-information/series', PeriodQuery, (p) => deps.queries.mentionSeries(p), [
    't',
    'bucket',
    'positive',
    'neutral',
    'negative',
  ]);
  endpoint('online-information/topics', LimitQuery, (p, q) => deps.queries.mentions(p, 'topic', q.limit), [
    ...MENTION_COLUMNS,
  ]);
  endpoint('online-information/sources', LimitQuery, (p, q) => deps.queries.mentions(p, 'source', q.limit), [
    ...MENTION_COLUMNS,
  ]);

  endpoint('socio-economic/indicators', PeriodQuery, (p) => deps.queries.socioFigures(p), [
    'indicatorId',
    'nameVi',
    'nameEn',
    'unit',
    'period',
    'latestPeriod',
    'latest',
    'previous',
    'sameLastYear',
    'yearOnYear',
    'yearToDate',
    'plan',
    'planShare',
    'aggregation',
    'level',
    'asOf',
  ]);
  endpoint(
    'socio-economic/series',
    SeriesQuery,
    async (p, q) => {
      const items = await deps.queries.socioSeries(p, q.indicator);
      if (!items)
        throw new HttpError(404, 'unknown_indicator', `${q.indicator} is not a socio-economic indicator`);
      return items;
    },
    ['period', 't', 'value', 'sameLastYear'],
    (q) => `socio-economic-${q.indicator}`,
  );

  // the KPIs of the period (the CSV's rows) and the tiles as they are now
  r.get('/api/dashboard/services-summary', async (req, res) => {
    const q = parseQuery(PeriodQuery, req.query);
    const p = period(q);
    const [items, tiles] = await Promise.all([deps.queries.summary(p), deps.queries.tiles(now())]);
    send(res, q.format, 'services-summary', p, items, [...KPI_COLUMNS], { tiles });
  });

  return r;
}
