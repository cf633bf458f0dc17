import { describe, expect, it } from 'vitest';
import { localDate } from '#contract/cityTime.ts';
import { apiQuery, dueForRefresh, parseView, REFRESH_MS, viewRange, viewTab, viewToSearch } from './view.ts';

const NOW = Date.parse('2025-03-10T10:30:00+07:00');

describe('dashboard view in the URL', () => {
  it('reads presets, custom ranges and the district, and writes them back', () => {
    expect(parseView('')).toEqual({ period: '7d' });
    expect(parseView('?period=30d&district=hai-cang')).toEqual({ period: '30d', district: 'hai-cang' });
    const custom = parseView('?period=custom&from=2025-01-01&to=2025-01-31');
    expect(custom).toEqual({ period: 'custom', from: '2025-01-01', to: '2025-01-31' });
    expect(viewToSearch(custom)).toBe('period=custom&from=2025-01-01&to=2025-01-31');
    expect(parseView(`?${viewToSearch({ period: '90d', district: 'x' })}`)).toEqual({
      period: '90d',
      district: 'x',
    });
  });

  it('falls back to 7 days on anything it cannot read', () => {
    expect(parseView('?period=year')).toEqual({ period: '7d' });
    expect(parseView('?period=custom&from=2025-02-01&to=2025-01-01')).toEqual({ period: '7d' });
    expect(parseView('?period=custom&from=bad&to=2025-01-01')).toEqual({ period: '7d' });
  });

  it('turns a view into whole local days ending with today', () => {
    const today = viewRange({ period: 'today' }, NOW);
    expect(new Date(today.from).toISOString()).toBe('2025-03-09T17:00:00.000Z');
    expect(today.to - today.from).toBe(86_400_000);
    const week = viewRange({ period: '7d' }, NOW);
    expect(week.to).toBe(today.to);
    expect(week.to - week.from).toBe(7 * 86_400_000);
    const custom = viewRange({ period: 'custom', from: '2025-01-01', to: '2025-01-31' }, NOW);
    expect(new Date(custom.from).toISOString()).toBe('2024-12-31T17:00:00.000Z');
    expect(new Date(custom.to).toISOString()).toBe('2025-01-31T17:00:00.000Z');
    expect(apiQuery({ period: 'today', district: 'd1' }, NOW, { limit: '10' })).toBe(
      'from=2025-03-09T17%3A00%3A00.000Z&to=2025-03-10T17%3A00%3A00.000Z&limit=10&district=d1',
    );
  });

  it('loads a view that reaches now again every 5 minutes, never one of past days', () => {
    const min = 60_000;
    expect(dueForRefresh({ period: 'today' }, NOW, NOW + 4 * min)).toBe(false);
    expect(dueForRefresh({ period: 'today' }, NOW, NOW + REFRESH_MS)).toBe(true);
    expect(dueForRefresh({ period: '90d', district: 'd1' }, NOW, NOW + 6 * min)).toBe(true);
    // a custom period that ends today moves too; one that ended before does not
    expect(
      dueForRefresh({ period: 'custom', from: '2025-03-01', to: localDate(NOW) }, NOW, NOW + 6 * min),
    ).toBe(true);
    expect(
      dueForRefresh({ period: 'custom', from: '2025-01-01', to: '2025-01-31' }, NOW, NOW + 60 * min),
    ).toBe(false);
  });
});

describe('dashboard tabs in the URL', () => {
  it('opens the summary by default and a named tab from a link, keeping the period', () => {
    expect(parseView('?period=30d')).toEqual({ period: '30d' });
    expect(parseView('?tab=summary&period=30d')).toEqual({ period: '30d' });
    expect(parseView('?tab=public-services&period=today&district=d1')).toEqual({
      tab: 'public-services',
      period: 'today',
      district: 'd1',
    });
    expect(parseView('?tab=nonsense')).toEqual({ period: '7d' });
    expect(viewToSearch({ tab: 'online-information', period: '7d' })).toBe(
      'tab=online-information&period=7d',
    );
    expect(viewToSearch({ tab: 'summary', period: '7d' })).toBe('period=7d');
  });

  it('keeps the socio-economic charts chosen, only on that tab, and refuses ids that are not ids', () => {
    const v = parseView('?tab=socio-economic&period=7d&indicators=cpi,grdp_growth,%3Cx%3E');
    expect(v).toEqual({ tab: 'socio-economic', period: '7d', indicators: ['cpi', 'grdp_growth'] });
    expect(viewToSearch(v)).toBe('tab=socio-economic&period=7d&indicators=cpi%2Cgrdp_growth');
    // none chosen is a choice too (no charts), not the default
    expect(parseView('?tab=socio-economic&indicators=')).toEqual({
      tab: 'socio-economic',
      period: '7d',
      indicators: [],
    });
    expect(parseView('?tab=traffic&indicators=cpi')).toEqual({ tab: 'traffic', period: '7d' });
    expect(viewTab({ period: '7d' })).toBe('summary');
  });
});
