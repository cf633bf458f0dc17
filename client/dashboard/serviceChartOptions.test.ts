import { describe, expect, it } from 'vitest';
import type { DossierDay, MentionBucket, SocioEconomicPoint } from '#contract/servicesApi.ts';
import { dossierOption, mentionsOption, SENTIMENT_COLOURS, socioOption } from './serviceChartOptions.ts';

type Series = { name: string; type: string; data: unknown[]; stack?: string; yAxisIndex?: number };
const seriesOf = (o: Record<string, unknown>) => o.series as Series[];

const day = (d: string, received: number, onTime: number, late: number): DossierDay => ({
  day: d,
  t: Date.parse(`${d}T00:00:00+07:00`),
  received,
  resolvedOnTime: onTime,
  resolvedLate: late,
  returned: 0,
  onTimeRate: onTime + late ? (onTime / (onTime + late)) * 100 : null,
});

describe('service charts', () => {
  it('draws dossiers per day with on time and late stacked and the rate on its own % axis', () => {
    const o = dossierOption('vi', [day('2026-12-01', 10, 8, 2), day('2026-12-02', 4, 0, 0)]);
    const s = seriesOf(o);
    expect(s.map((x) => x.name)).toEqual(['Tiếp nhận', 'Đúng hạn', 'Trễ hạn', 'Tỷ lệ đúng hạn (%)']);
    expect(s[1].stack).toBe(s[2].stack);
    expect(s[3]).toMatchObject({ type: 'line', yAxisIndex: 1, data: [80, null] });
    expect((o.xAxis as { data: string[] }).data).toEqual(['01/12', '02/12']);
    const axes = o.yAxis as Array<{ name: string; max?: number }>;
    expect(axes[0].name).toBe('hồ sơ');
    expect(axes[1]).toMatchObject({ name: '%', max: 100 });
  });

  it('stacks mentions by sentiment, hourly labels for short periods and days for long ones', () => {
    const b = (iso: string, bucket: '1h' | '1d', p: number, n: number, neg: number): MentionBucket => ({
      t: Date.parse(iso),
      bucket,
      positive: p,
      neutral: n,
      negative: neg,
    });
    const hourly = mentionsOption('en', [b('2026-12-05T20:00:00+07:00', '1h', 1, 2, 3)], 1);
    const s = seriesOf(hourly);
    expect(s.map((x) => x.name)).toEqual(['Positive', 'Neutral', 'Negative']);
    expect(new Set(s.map((x) => x.stack)).size).toBe(1);
    expect(s.map((x) => x.data[0])).toEqual([1, 2, 3]);
    expect((s[2] as unknown as { itemStyle: { color: string } }).itemStyle.color).toBe(
      SENTIMENT_COLOURS.negative,
    );
    expect((hourly.xAxis as { data: string[] }).data).toEqual(['20:00']);
    const daily = mentionsOption('vi', [b('2026-12-05T00:00:00+07:00', '1d', 0, 0, 1)], 7);
    expect((daily.xAxis as { data: string[] }).data).toEqual(['05/12']);
    expect((daily.yAxis as { name: string }).name).toBe('lượt đề cập');
  });

  it('draws an indicator with last year as a dashed line, axis in its unit', () => {
    const pts: SocioEconomicPoint[] = [
      { period: '2026-09', t: 0, value: 103.2, sameLastYear: 102.1 },
      { period: '2026-10', t: 1, value: null, sameLastYear: 102.5 },
    ];
    const o = socioOption('vi', pts, 'index_point');
    const s = seriesOf(o) as unknown as Array<Series & { lineStyle: { type?: string } }>;
    expect(s.map((x) => x.data)).toEqual([
      [103.2, null],
      [102.1, 102.5],
    ]);
    expect(s[1].lineStyle.type).toBe('dashed');
    expect((o.xAxis as { data: string[] }).data).toEqual(['09/2026', '10/2026']);
    expect(o.yAxis).toMatchObject({ name: 'điểm', scale: true });
    expect(socioOption('en', pts, 'vnd_billion').yAxis).toMatchObject({ name: 'billion VND', scale: false });
  });

  it("writes every axis's numbers in the reader's language", () => {
    type Axis = { axisLabel: { formatter: (v: number) => string } };
    const tick = (axis: unknown, v: number) => (axis as Axis).axisLabel.formatter(v);
    const m = (l: 'vi' | 'en') => mentionsOption(l, [], 7).yAxis;
    expect(tick(m('vi'), 1500)).toBe('1.500');
    expect(tick(m('en'), 1500)).toBe('1,500');
    const [count, rate] = dossierOption('vi', []).yAxis as unknown[];
    expect(tick(count, 1200)).toBe('1.200');
    expect(tick(rate, 97.5)).toBe('97,5');
    expect(tick(socioOption('vi', [], 'vnd_billion').yAxis, 2100)).toBe('2.100');
    expect(tick(socioOption('en', [], 'index_point').yAxis, 102.25)).toBe('102.25');
  });
});
