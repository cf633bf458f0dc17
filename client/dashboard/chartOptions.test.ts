import { describe, expect, it } from 'vitest';
import { alarmRateOption, calendarOption } from './chartOptions.ts';

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
