import { describe, expect, it } from 'vitest';
import { calendarOption } from './chartOptions.ts';

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
