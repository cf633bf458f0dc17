import { describe, expect, it } from 'vitest';
import type { IndicatorDef } from '#contract/indicatorVocab.ts';
import { indexAssets } from '../domain/assetIndex.ts';
import { catalogueOf } from '../domain/indicatorCatalogue.ts';
import { decodeMessage } from './decode.ts';

const def = (
  d: Partial<IndicatorDef> & Pick<IndicatorDef, 'id' | 'unit' | 'period' | 'scope'>,
): IndicatorDef => ({
  domain: 'public_services',
  nameVi: d.id,
  nameEn: d.id,
  goodDirection: 'up',
  dimensions: [],
  min: null,
  max: null,
  thresholds: { basis: 'value', warning: null, critical: null },
  disabled: false,
  updatedAt: 0,
  ...d,
});
const catalogue = catalogueOf(
  [
    def({
      id: 'dossier_received',
      unit: 'dossier',
      period: 'event',
      scope: 'agency',
      dimensions: ['channel'],
    }),
    def({ id: 'budget_revenue', unit: 'vnd_billion', period: 'monthly', scope: 'province', min: 0 }),
    def({ id: 'grdp_growth', unit: 'percent', period: 'quarterly', scope: 'province' }),
    def({ id: 'online_share', unit: 'percent', period: 'daily', scope: 'ward', min: 0, max: 100 }),
    def({ id: 'retired', unit: 'count', period: 'daily', scope: 'province', disabled: true }),
  ],
  ['tran-phu'],
  ['so-tu-phap'],
);
const assets = indexAssets({
  name: 't',
  bbox: [0, 0, 1, 1],
  segments: [],
  cameras: [],
  districts: [],
} as unknown as Parameters<typeof indexAssets>[0]);
// 2026-11-23 10:00 local (03:00 UTC)
const NOW = Date.UTC(2026, 10, 23, 3);
const decode = (id: string, payload: object) =>
  decodeMessage(
    `ioc/kpi/${id}`,
    JSON.stringify(payload),
    assets,
    { now: NOW, aheadMs: 60_000, ageMs: 30 * 86_400_000 },
    catalogue,
  );

describe('a value of the indicator feed, decoded against the catalogue', () => {
  it('dates a monthly figure at its local month start, whether given by period or by a time inside it', () => {
    const start = Date.UTC(2026, 9, 1) - 7 * 3_600_000; // 2026-10-01 00:00 +07:00
    const byPeriod = decode('budget_revenue', { period: '2026-10', value: 1250.5 });
    const byTs = decode('budget_revenue', { ts: '2026-10-17T09:00:00+07:00', value: 1250.5 });
    expect(byPeriod).toMatchObject({ ok: true, record: { time: start, value: 1250.5, figure: true } });
    expect(byTs).toMatchObject({ ok: true, record: { time: start } });
    // one figure per period and place: the same key however it was dated
    const key = (d: typeof byPeriod) => (d.ok && d.kind === 'indicator' ? d.record.dedupeKey : undefined);
    expect(key(byPeriod)).toBe(key(byTs));
    expect(decode('grdp_growth', { period: '2026-Q3', value: -1.5 })).toMatchObject({
      ok: true,
      record: { time: Date.UTC(2026, 6, 1) - 7 * 3_600_000, value: -1.5 },
    });
  });

  it('counts an event once per message id, 1 unless told', () => {
    const d = decode('dossier_received', {
      ts: NOW - 1000,
      agency: 'so-tu-phap',
      channel: 'online',
      id: 'hs-1',
    });
    expect(d).toMatchObject({
      ok: true,
      record: { value: 1, figure: false, dedupeKey: 'hs-1', time: NOW - 1000 },
    });
  });

  it('refuses each bad value with its reason', () => {
    const reason = (id: string, p: object) => {
      const d = decode(id, p);
      return d.ok ? 'ok' : `${d.reason}: ${d.detail}`;
    };
    expect(reason('no_such', { ts: NOW, value: 1 })).toBe(
      'unknown_indicator: indicator no_such is not in the catalogue',
    );
    expect(reason('retired', { period: '2026-11-01', value: 1 })).toMatch(/^unknown_indicator/);
    expect(reason('budget_revenue', { period: '2026-10', value: '1250' })).toMatch(
      /^invalid_payload: value: /,
    );
    expect(reason('budget_revenue', { period: '2026-10', value: 1, unit: 'usd_million' })).toBe(
      'wrong_unit: unit usd_million is not the unit of budget_revenue (vnd_billion)',
    );
    expect(reason('budget_revenue', { period: '2026-12', value: 1 })).toBe(
      'future_ts: the monthly period 2026-12 has not begun',
    );
    expect(reason('budget_revenue', { period: '2026-11', value: 1 })).toBe('ok');
    expect(reason('budget_revenue', { period: '10/2026', value: 1 })).toBe(
      'invalid_payload: period: monthly figures take a month as YYYY-MM, got 10/2026',
    );
    expect(reason('budget_revenue', { period: '2026-10', value: -5 })).toMatch(
      /^invalid_payload: value: at least 0/,
    );
    expect(reason('budget_revenue', { value: 1 })).toMatch(/^invalid_payload: ts: required/);
    expect(reason('budget_revenue', { period: '2026-10', value: 1, ward: 'tran-phu' })).toBe(
      'invalid_payload: ward: budget_revenue is province-wide',
    );
    expect(reason('online_share', { period: '2026-11-20', value: 101, ward: 'tran-phu' })).toMatch(
      /at most 100/,
    );
    expect(reason('online_share', { period: '2026-11-20', value: 80, ward: 'tay-son' })).toBe(
      'unknown_ward: ward tay-son is not a ward of the city',
    );
    expect(
      reason('dossier_received', { ts: NOW, agency: 'so-tu-phap', channel: 'online', value: 1.5 }),
    ).toMatch(/whole number/);
    expect(reason('dossier_received', { ts: NOW, agency: 'so-tu-phap' })).toBe(
      'invalid_payload: channel: required for dossier_received',
    );
    expect(reason('dossier_received', { ts: NOW, agency: 'so-moi', channel: 'online' })).toBe(
      'unknown_agency: agency so-moi is not in the agency list',
    );
    expect(reason('dossier_received', { ts: NOW, agency: 'so-tu-phap', channel: 'online', topic: 'x' })).toBe(
      'invalid_payload: topic: not a breakdown of dossier_received',
    );
    expect(
      reason('dossier_received', { ts: NOW - 31 * 86_400_000, agency: 'so-tu-phap', channel: 'online' }),
    ).toMatch(/^too_old/);
  });
});

describe("a year's plan on the indicator feed (v1.6)", () => {
  const reason = (id: string, p: object) => {
    const d = decode(id, p);
    return d.ok ? 'ok' : `${d.reason}: ${d.detail}`;
  };
  it('dates a plan at its local year start, as the province figure of that year', () => {
    const d = decode('budget_revenue', { kind: 'plan', period: '2027', value: 18_500 });
    expect(d).toMatchObject({
      ok: true,
      record: { kind: 'plan', time: Date.UTC(2027, 0, 1) - 7 * 3_600_000, value: 18_500, agencyId: null },
    });
    // an actual figure of the same indicator is another thing
    expect(decode('budget_revenue', { period: '2026-10', value: 1 })).toMatchObject({
      record: { kind: 'actual' },
    });
  });

  it('refuses a plan the catalogue cannot take, saying why', () => {
    expect(reason('dossier_received', { kind: 'plan', period: '2026', value: 1 })).toMatch(
      /^invalid_payload: kind: plans are given for monthly and quarterly indicators; dossier_received is event/,
    );
    expect(reason('online_share', { kind: 'plan', period: '2026', value: 90 })).toMatch(
      /online_share is daily/,
    );
    expect(reason('budget_revenue', { kind: 'plan', period: '2028', value: 1 })).toMatch(
      /^future_ts: the plan's year 2028 is after next year \(2027\)/,
    );
    expect(reason('budget_revenue', { kind: 'plan', period: '2026-10', value: 1 })).toMatch(
      /^invalid_payload: period: a plan takes a year as YYYY/,
    );
    expect(reason('budget_revenue', { kind: 'plan', ts: NOW, value: 1 })).toMatch(/a plan names its year/);
    expect(reason('grdp_growth', { kind: 'plan', period: '2026', value: 7, agency: 'so-tu-phap' })).toMatch(
      /^invalid_payload: agency: a plan is the province's/,
    );
    expect(reason('budget_revenue', { kind: 'forecast', period: '2026', value: 1 })).toMatch(
      /^invalid_payload: kind/,
    );
  });
});
