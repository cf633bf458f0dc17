import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, localDateStart } from '#contract/cityTime.ts';
import type { DossierFigures, MentionFigures, ServiceTile } from '#contract/servicesApi.ts';
import { formatAgo, formatIndicator, formatPeriodLabel } from '../i18n/format.ts';
import {
  nextService,
  noServiceData,
  onTimeRange,
  orderTiles,
  panelPeriods,
  rankAgencies,
  rankTopics,
  shownLevel,
  spanText,
  sparkPath,
  stackMentions,
  tileAge,
  tileFreshness,
} from './services.ts';

// 2026-12-05 14:30 in Quy Nhơn
const NOW = localDateStart('2026-12-05') + 14.5 * HOUR_MS;

const tile = (p: Partial<ServiceTile>): ServiceTile => ({
  service: 'public_services',
  key: 'onTimeRate',
  value: 96.63,
  unit: 'percent',
  span: 'month',
  periodStart: localDateStart('2026-12-01'),
  asOf: NOW - 30 * 60_000,
  level: 'ok',
  previous: 95.1,
  secondary: { key: 'overdueNow', value: 12, unit: 'dossier' },
  ...p,
});

const agency = (id: string, onTimeRate: number | null, overdueNow: number | null): DossierFigures => ({
  rank: 0,
  id,
  nameVi: id,
  nameEn: id,
  received: 10,
  receivedOnline: 5,
  resolvedOnTime: 9,
  resolvedLate: 1,
  returned: 0,
  onTimeRate,
  onlineShare: 50,
  overdueNow,
  level: 'ok',
});

describe('the province row', () => {
  it('writes a headline with its unit in the reader’s language, with fixed decimals', () => {
    expect(formatIndicator('vi', 96.63, 'percent')).toEqual({ num: '96,6', unit: '%' });
    expect(formatIndicator('en', 97, 'percent')).toEqual({ num: '97.0', unit: '%' });
    expect(formatIndicator('vi', 1234, 'mention')).toEqual({ num: '1.234', unit: 'lượt đề cập' });
    expect(formatIndicator('en', 1250.5, 'vnd_billion')).toEqual({ num: '1,250.5', unit: 'billion VND' });
    expect(formatIndicator('vi', null, 'dossier')).toEqual({ num: '—', unit: 'hồ sơ' });
  });

  it('says how long ago the newest value behind a figure was received', () => {
    // the newest resolved dossier came in at 14:27: "3 phút trước", not "this hour"
    const age = tileAge(tile({ asOf: NOW - 3 * 60_000 }), NOW);
    expect(age).toEqual({ kind: 'ago', ms: 3 * 60_000 });
    expect(formatAgo('vi', age.kind === 'ago' ? age.ms : 0)).toBe('3 phút trước');
    expect(formatAgo('en', 3 * 60_000)).toBe('3 minutes ago');
    // a console clock a little behind the server's says "now", not a time to come
    expect(tileAge(tile({ asOf: NOW + 2_000 }), NOW)).toEqual({ kind: 'ago', ms: 0 });
    // a quarter's figure says its quarter, whenever the statistics office sent it
    expect(
      tileAge(
        tile({ key: 'grdpGrowth', periodStart: localDateStart('2026-07-01'), asOf: NOW - 20 * DAY_MS }),
        NOW,
      ),
    ).toEqual({ kind: 'period', label: '2026-Q3' });
    expect(tileAge(tile({ asOf: null, value: null }), NOW)).toEqual({ kind: 'none' });
  });

  it('tells a fresh figure from a stale one and from none, by how often each service’s figure comes', () => {
    expect(tileFreshness(tile({}), NOW)).toBe('fresh');
    // the portal sends every hour: a dossier resolved 2 h 59 min ago is fresh, 3 h 1 min ago stale
    expect(tileFreshness(tile({ asOf: NOW - 3 * HOUR_MS + 60_000 }), NOW)).toBe('fresh');
    expect(tileFreshness(tile({ asOf: NOW - 3 * HOUR_MS - 60_000 }), NOW)).toBe('stale');
    // mentions come all day: more than an hour without any is stale
    expect(tileFreshness(tile({ key: 'negativeShare', asOf: NOW - 59 * 60_000 }), NOW)).toBe('fresh');
    expect(tileFreshness(tile({ key: 'negativeShare', asOf: NOW - 61 * 60_000 }), NOW)).toBe('stale');
    // a quarter's GRDP comes a month or so after the quarter: Q3 in December is the latest, Q2 is old even
    // when sent (revised) yesterday
    const grdp = (quarter: string) =>
      tile({ key: 'grdpGrowth', periodStart: localDateStart(quarter), asOf: NOW - DAY_MS });
    expect(tileFreshness(grdp('2026-07-01'), NOW)).toBe('fresh');
    expect(tileFreshness(grdp('2026-04-01'), NOW)).toBe('stale');
    expect(tileFreshness(tile({ value: null, asOf: null }), NOW)).toBe('missing');
    expect(tileFreshness(null, NOW)).toBe('missing');
  });

  it('shows the threshold level only on a fresh figure', () => {
    expect(shownLevel(tile({ level: 'critical' }), NOW)).toBe('critical');
    expect(shownLevel(tile({ level: 'critical', asOf: NOW - 5 * HOUR_MS }), NOW)).toBe('none');
    expect(shownLevel(null, NOW)).toBe('none');
  });

  it('keeps the tiles in one order and names a service the answer left out', () => {
    const order = orderTiles([
      tile({ service: 'socio_economic', key: 'grdpGrowth' }),
      tile({ service: 'public_services' }),
    ]);
    expect(order.map((o) => [o.service, o.tile?.key ?? null])).toEqual([
      ['public_services', 'onTimeRate'],
      ['online_information', null],
      ['socio_economic', 'grdpGrowth'],
    ]);
  });

  it('has an empty state only when no service has any figure', () => {
    const empty = tile({
      value: null,
      asOf: null,
      secondary: { key: 'overdueNow', value: null, unit: 'dossier' },
    });
    expect(noServiceData([empty, { ...empty, service: 'socio_economic' }])).toBe(true);
    // the server counts today's mentions as 0 before any came
    expect(
      noServiceData([{ ...empty, secondary: { key: 'mentionsToday', value: 0, unit: 'mention' } }]),
    ).toBe(true);
    expect(noServiceData([])).toBe(true);
    expect(noServiceData([empty, tile({ service: 'socio_economic' })])).toBe(false);
    // overdue dossiers came before any was resolved: there is something to show
    expect(noServiceData([{ ...empty, secondary: { key: 'overdueNow', value: 3, unit: 'dossier' } }])).toBe(
      false,
    );
  });

  it('names the period of a headline: this month, today, or an earlier one by its label', () => {
    expect(spanText('month', localDateStart('2026-12-01'), NOW)).toEqual({ key: 'month' });
    expect(spanText('month', localDateStart('2026-11-01'), NOW)).toEqual({ label: '2026-11' });
    expect(spanText('today', localDateStart('2026-12-05'), NOW)).toEqual({ key: 'today' });
    expect(spanText('today', localDateStart('2026-12-04'), NOW)).toEqual({ label: '2026-12-04' });
    expect(spanText('quarter', localDateStart('2026-07-01'), NOW)).toEqual({ label: '2026-Q3' });
    expect(spanText('now', 0, NOW)).toEqual({ key: 'now' });
    expect(formatPeriodLabel('vi', '2026-Q3')).toBe('quý 3/2026');
    expect(formatPeriodLabel('en', '2026-Q3')).toBe('Q3 2026');
    expect(formatPeriodLabel('vi', '2026-11')).toBe('tháng 11/2026');
    expect(formatPeriodLabel('en', '2026-11')).toBe('Nov 2026');
  });

  it('walks the panels with S in the tiles’ order, then closes', () => {
    expect(nextService(null)).toBe('public_services');
    expect(nextService('public_services')).toBe('online_information');
    expect(nextService('online_information')).toBe('socio_economic');
    expect(nextService('socio_economic')).toBe(null);
  });

  it('asks the panels’ endpoints for this month, the 7 days to today and today, in local time', () => {
    const p = panelPeriods(NOW);
    expect(p.month.from).toBe(localDateStart('2026-12-01'));
    expect(p.week.from).toBe(localDateStart('2026-11-29'));
    expect(p.today.from).toBe(localDateStart('2026-12-05'));
    expect(p.today.to).toBe(NOW);
  });
});

describe('the service panels', () => {
  it('ranks agencies by on-time rate, none resolved last, the more overdue first among equals, the idle left out', () => {
    const ranked = rankAgencies([
      agency('a', 90, 2),
      agency('b', null, 0),
      agency('c', 98.5, 1),
      agency('d', 90, 7),
      { ...agency('quiet', null, 0), received: 0, resolvedOnTime: 0, resolvedLate: 0 },
      { ...agency('backlog', null, 4), received: 0, resolvedOnTime: 0, resolvedLate: 0 },
    ]);
    // an agency with nothing this month is left out; one with only overdue dossiers stays
    expect(ranked.map((a) => a.id)).toEqual(['c', 'd', 'a', 'backlog', 'b']);
  });

  it('puts the hottest topic first, the more negative first among equals', () => {
    const m = (id: string, mentions: number, negativeShare: number): MentionFigures => ({
      rank: 0,
      id,
      mentions,
      positive: 0,
      neutral: 0,
      negative: 0,
      negativeShare,
      previous: 0,
      baselineRatio: null,
      level: 'none',
    });
    expect(rankTopics([m('x', 10, 5), m('y', 40, 1), m('z', 10, 50)]).map((t) => t.id)).toEqual([
      'y',
      'z',
      'x',
    ]);
  });

  it('draws a sparkline that breaks at a day without a figure', () => {
    const s = sparkPath(
      [
        { t: 0, v: 100 },
        { t: 1, v: 90 },
        { t: 2, v: null },
        { t: 3, v: 80 },
        { t: 4, v: 90 },
      ],
      { w: 400, h: 100, t0: 0, t1: 4, yMin: 80, yMax: 100 },
      [95],
    );
    expect(s.d).toBe('M0.0,0.0L100.0,50.0M300.0,100.0L400.0,50.0');
    expect(s.guides).toEqual([25]);
    expect(
      onTimeRange([
        { day: '', t: 0, received: 0, resolvedOnTime: 0, resolvedLate: 0, returned: 0, onTimeRate: 71 },
      ]),
    ).toEqual({
      yMin: 65,
      yMax: 100,
    });
  });

  it('stacks mentions by sentiment, negative at the bottom, in time order', () => {
    const s = stackMentions([
      { t: 2, bucket: '1h', positive: 1, neutral: 2, negative: 3 },
      { t: 1, bucket: '1h', positive: 4, neutral: 0, negative: 1 },
    ]);
    expect(s).toEqual({ t: [1, 2], negative: [1, 3], neutral: [1, 5], positive: [5, 6], max: 6 });
  });
});
