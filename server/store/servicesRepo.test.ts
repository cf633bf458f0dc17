import { describe, expect, it } from 'vitest';
import type { IndicatorDef } from '#contract/indicatorVocab.ts';
import { thresholdLevel } from '#contract/servicesApi.ts';
import { shiftPeriod, socioFigure } from './servicesRepo.ts';

const month = (y: number, m: number) => Date.UTC(y, m - 1, 1) - 7 * 3_600_000;
const def = (over: Partial<IndicatorDef>): IndicatorDef & { period: 'monthly' | 'quarterly' } => ({
  id: 'budget_revenue',
  domain: 'socio_economic',
  nameVi: 'Thu ngân sách',
  nameEn: 'Budget revenue',
  unit: 'vnd_billion',
  period: 'monthly',
  scope: 'province',
  goodDirection: 'up',
  dimensions: [],
  min: null,
  max: null,
  thresholds: { basis: 'value', warning: null, critical: null },
  disabled: false,
  updatedAt: 0,
  ...(over as object),
});

describe('threshold levels', () => {
  it('reads the bad way of the good direction, at the limit included', () => {
    const onTime = { warning: 95, critical: 90 };
    expect([96.6, 95, 92, 90, null].map((v) => thresholdLevel(onTime, 'up', v))).toEqual([
      'ok',
      'warning',
      'warning',
      'critical',
      'none',
    ]);
    const overdue = { warning: 10, critical: 20 };
    expect([9, 10, 25].map((v) => thresholdLevel(overdue, 'down', v))).toEqual(['ok', 'warning', 'critical']);
    expect(thresholdLevel({ warning: null, critical: null }, 'up', 5)).toBe('none');
  });
});

describe('socio-economic figures', () => {
  it('a flow: the year so far against the plan for the months gone; year on year against the same month', () => {
    const values = new Map([
      [month(2025, 10), 1000],
      [month(2026, 9), 1100],
      [month(2026, 10), 1250],
      [month(2025, 12), 900], // last year: not in this year's sum
    ]);
    const f = socioFigure(def({}), values, new Map([[2026, 12_000]]), month(2026, 12));
    expect(f).toMatchObject({
      latestPeriod: '2026-10',
      latest: 1250,
      previous: 1100,
      sameLastYear: 1000,
      yearOnYear: 25,
      yearToDate: 2350,
      plan: 12_000,
      aggregation: 'sum',
      // 10 months gone: 10,000 expected, 2,350 done
      level: 'warning',
      // when its newest value was received is not known: its period's start
      asOf: month(2026, 10),
    });
    expect(f.planShare).toBeCloseTo((100 * 2350) / 12_000, 9);
    // known: when it was received (October's figure, sent on 20 November)
    const sent = month(2026, 11) + 19 * 24 * 3_600_000;
    expect(socioFigure(def({}), values, new Map(), month(2026, 12), sent).asOf).toBe(sent);
    // as of an earlier date the later months are not seen
    expect(socioFigure(def({}), values, new Map(), month(2026, 10)).latestPeriod).toBe('2026-09');
  });

  it('a rate: the latest quarter against the plan; none without a plan', () => {
    const grdp = def({ id: 'grdp_growth', unit: 'percent', period: 'quarterly' });
    const values = new Map([
      [month(2026, 7), 6.8],
      [month(2026, 4), 7.4],
    ]);
    expect(socioFigure(grdp, values, new Map([[2026, 7]]), month(2026, 12))).toMatchObject({
      latestPeriod: '2026-Q3',
      latest: 6.8,
      previous: 7.4,
      yearToDate: 6.8,
      planShare: null,
      level: 'warning',
    });
    expect(socioFigure(grdp, values, new Map(), month(2026, 12)).level).toBe('none');
    expect(socioFigure(grdp, new Map(), new Map([[2026, 7]]), month(2026, 12))).toMatchObject({
      latest: null,
      level: 'none',
    });
  });

  it('shifts periods across years', () => {
    expect(shiftPeriod('monthly', month(2026, 1), -1)).toBe(month(2025, 12));
    expect(shiftPeriod('quarterly', month(2026, 1), -4)).toBe(month(2025, 1));
  });
});
