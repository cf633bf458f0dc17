import * as echarts from 'echarts';
import { describe, expect, it } from 'vitest';
import type { Kpi } from '#contract/dashboardApi.ts';
import { alarmRateOption, calendarOption, sourceOption } from './chartOptions.ts';

type Tooltip = { formatter: (p: { value?: [string, number] | null }) => string };

describe('incident calendar', () => {
  const days = [
    { day: '2026-11-20', t: 0, received: 12 },
    { day: '2026-11-21', t: 0, received: 3 },
  ];

  it("spans the period's first to last day and tells a day's count in its tooltip", () => {
    const o = calendarOption('vi', days) as { calendar: { range: string[] }; tooltip: Tooltip };
    expect(o.calendar.range).toEqual(['2026-11-20', '2026-11-21']);
    const text = o.tooltip.formatter({ value: ['2026-11-20', 12] });
    expect(text).toContain('2026');
    expect(text).toContain('<b>12</b>');
  });

  it('shows no tooltip, and throws nothing, where the pointer is over no day', () => {
    const o = calendarOption('en', days) as { tooltip: Tooltip };
    expect(o.tooltip.formatter({ value: null })).toBe('');
    expect(o.tooltip.formatter({})).toBe('');
  });
});

describe('alarm rate chart', () => {
  const T0 = Date.parse('2025-03-10T00:00:00+07:00');
  const buckets = [
    { t: T0, raised: 0, perPosition: 0, flood: false },
    { t: T0 + 8 * 3_600_000 + 40 * 60_000, raised: 25, perPosition: 12.5, flood: true },
  ];
  type MarkLine = { data: Array<{ yAxis: number; label: { formatter: string } }> };
  type Option = {
    xAxis: { data: string[] };
    series: Array<{ data: number[]; markLine: MarkLine }>;
    yAxis: { max: (v: { max: number }) => number | null };
  };

  it('draws the rate per position with the EEMUA target and the flood limit as labelled lines', () => {
    const o = alarmRateOption('vi', buckets, 1) as unknown as Option;
    expect(o.series[0].data).toEqual([0, 12.5]);
    expect(o.series[0].markLine.data.map((m) => [m.yAxis, m.label.formatter])).toEqual([
      [1, 'Mục tiêu 1'],
      [10, 'Ngập: trên 10'],
    ]);
    // one day: the clock in the city's time; longer: the day too
    expect(o.xAxis.data).toEqual(['00:00', '08:40']);
    expect((alarmRateOption('en', buckets, 7) as unknown as Option).xAxis.data[1]).toBe('10 Mar 08:40');
  });

  it('keeps the target line in view when every period is below it', () => {
    const o = alarmRateOption('en', buckets, 1) as unknown as Option;
    expect(o.yAxis.max({ max: 0.2 })).toBe(1.5);
    expect(o.yAxis.max({ max: 12.5 })).toBeNull();
  });
});

describe('report sources donut', () => {
  const kpi = (key: string, value: number): Kpi => ({
    key: `reports.${key}`,
    group: 'reports',
    unit: 'count',
    value,
    previous: null,
    delta: null,
    deltaRatio: null,
  });
  const kpis = [kpi('field', 0), kpi('open311', 21), kpi('camera', 245), kpi('mqtt', 734)];

  /** The slice labels ECharts draws at this size (server-side, as SVG): text, anchor and x. */
  function labels(width: number, lang: 'vi' | 'en') {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: 330 });
    chart.setOption(sourceOption(lang, kpis) as echarts.EChartsCoreOption);
    const svg = chart.renderToSVGString();
    chart.dispose();
    return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)]
      .map((m) => ({
        text: m[2],
        x: Number(/translate\(([\d.]+) /.exec(m[1])?.[1]),
        anchor: /text-anchor="(\w+)"/.exec(m[1])?.[1],
      }))
      .filter((l) => l.text.includes('%'));
  }

  it('writes every share whole, in the reader’s format, inside the card, where the card is narrow (1366 px) too', () => {
    for (const width of [280, 440])
      for (const lang of ['vi', 'en'] as const) {
        const got = labels(width, lang);
        const want = lang === 'vi' ? ['2,1%', '24,5%', '73,4%'] : ['2.1%', '24.5%', '73.4%'];
        expect(got.map((l) => l.text).sort(), `${lang} ${width}px`).toEqual(want.sort());
        // about 7 px a character at 12 px: the whole label between the card's edges
        for (const l of got) {
          const w = l.text.length * 7;
          const [left, right] = l.anchor === 'end' ? [l.x - w, l.x] : [l.x, l.x + w];
          expect(left, `${l.text} at ${width}px`).toBeGreaterThanOrEqual(0);
          expect(right, `${l.text} at ${width}px`).toBeLessThanOrEqual(width);
        }
      }
  });
});
