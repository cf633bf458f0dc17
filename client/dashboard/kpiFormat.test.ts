import { describe, expect, it } from 'vitest';
import type { AlarmHealthKpi, Kpi } from '#contract/dashboardApi.ts';
import { formatDelta, formatTarget, formatValue } from './kpiFormat.ts';

const k = (key: string, unit: Kpi['unit'], value: number | null, previous: number | null): Kpi => {
  const delta = value !== null && previous !== null ? value - previous : null;
  return {
    key,
    group: 'traffic',
    unit,
    value,
    previous,
    delta,
    deltaRatio: delta !== null && previous ? delta / previous : null,
  };
};

describe('dashboard KPI formatting', () => {
  it('writes each unit the way a report does, in both languages', () => {
    expect(formatValue('vi', 32.456, 'kmh')).toEqual({ text: '32,5', unit: 'km/h' });
    expect(formatValue('en', 0.8734, 'share')).toEqual({ text: '87.3', unit: '%' });
    // a round figure keeps its decimal, so a tile keeps its width and reads as the same kind of figure
    expect(formatValue('vi', 38.02, 'kmh')).toEqual({ text: '38,0', unit: 'km/h' });
    expect(formatValue('vi', 1, 'share')).toEqual({ text: '100,0', unit: '%' });
    expect(formatValue('vi', 45, 'minutes')).toEqual({ text: '45', unit: 'phút' });
    expect(formatValue('en', 150, 'minutes')).toEqual({ text: '2.5', unit: 'h' });
    expect(formatValue('vi', 12345, 'count').text).toBe('12.345');
    expect(formatValue('vi', null, 'count').text).toBe('—');
  });

  it('colours a change by whether it is good news', () => {
    expect(formatDelta('en', k('avgSpeed', 'kmh', 30, 25))).toEqual({
      text: '+20%',
      tone: 'good',
      arrow: '▲',
    });
    expect(formatDelta('en', k('open', 'count', 30, 25))?.tone).toBe('bad');
    expect(formatDelta('en', k('received', 'count', 30, 25))?.tone).toBe('neutral');
    expect(formatDelta('vi', k('onTimeRate', 'share', 0.8, 0.9))).toEqual({
      text: '−10 điểm %',
      tone: 'bad',
      arrow: '▼',
    });
    expect(formatDelta('en', k('ackMedian', 'minutes', 10, 20))?.tone).toBe('good');
    expect(formatDelta('en', k('received', 'count', 3, 0))?.text).toBe('+3');
    expect(formatDelta('en', k('received', 'count', 3, null))).toBeNull();
  });

  it('says a rise to ten times a nearly empty previous period in times, in both languages', () => {
    // 987 incidents against 1: "+98.600%" before
    expect(formatDelta('vi', k('received', 'count', 987, 1))).toEqual({
      text: 'gấp 987 lần',
      tone: 'neutral',
      arrow: '▲',
    });
    expect(formatDelta('en', k('received', 'count', 987, 1))?.text).toBe('×987');
    expect(formatDelta('vi', k('open', 'count', 60, 1))).toEqual({
      text: 'gấp 60 lần',
      tone: 'bad',
      arrow: '▲',
    });
    // at exactly ten times, and just under it (still per cent)
    expect(formatDelta('vi', k('received', 'count', 50, 5))?.text).toBe('gấp 10 lần');
    expect(formatDelta('vi', k('received', 'count', 49, 5))?.text).toBe('+880%');
    expect(formatDelta('en', k('received', 'count', 12_000, 1_000))?.text).toBe('×12');
    // a fall is never in times: at most −100%
    expect(formatDelta('vi', k('received', 'count', 1, 987))?.text).toBe('−99,9%');
  });
});

describe('alarm system health figures', () => {
  const a = (
    key: AlarmHealthKpi['key'],
    unit: Kpi['unit'],
    value: number | null,
    target: number | null,
  ): AlarmHealthKpi => ({
    ...k(key, unit, value, null),
    key,
    group: 'alarms',
    target,
    withinTarget: target === null || value === null ? null : value <= target,
  });

  it('writes the rate per position with two decimals, against the target of one', () => {
    expect(formatValue('vi', 0.2396, 'rate')).toEqual({ text: '0,24', unit: 'cảnh báo/10 phút' });
    expect(formatValue('en', 12.5, 'rate')).toEqual({ text: '12.5', unit: 'alarms/10 min' });
  });

  it('says in words and with a mark whether a figure meets its target', () => {
    expect(formatTarget('vi', a('alarmRate', 'rate', 0.24, 1))).toEqual({
      met: true,
      text: '✓ Đạt mục tiêu ≤ 1',
    });
    expect(formatTarget('en', a('alarmPeakRate', 'rate', 12.5, 10))).toEqual({
      met: false,
      text: '✗ Over target ≤ 10',
    });
    expect(formatTarget('vi', a('alarmFloodShare', 'share', 0.0139, 0.01))?.text).toBe(
      '✗ Vượt mục tiêu ≤ 1,0%',
    );
    // no target, or nothing measured: no mark at all
    expect(formatTarget('en', a('alarmAckMedian', 'minutes', 3, null))).toBeNull();
    expect(formatTarget('en', a('alarmRate', 'rate', null, 1))).toBeNull();
  });

  it('a rise of any alarm figure is bad news', () => {
    expect(formatDelta('en', k('alarmRate', 'rate', 2, 1))?.tone).toBe('bad');
    expect(formatDelta('en', k('alarmChattering', 'count', 0, 3))?.tone).toBe('good');
  });
});
