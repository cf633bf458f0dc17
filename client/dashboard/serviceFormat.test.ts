import { describe, expect, it } from 'vitest';
import {
  formatServiceDelta,
  indicatorText,
  percentText,
  periodName,
  ratioText,
  spanText,
} from './serviceFormat.ts';

describe('service figures in words', () => {
  it('writes each indicator unit the way a report does, in both languages', () => {
    expect(indicatorText('vi', 96.634, 'percent')).toBe('96,6%');
    expect(indicatorText('en', 96.634, 'percent')).toBe('96.6%');
    expect(indicatorText('vi', 1234, 'dossier')).toBe('1.234 hồ sơ');
    expect(indicatorText('en', 1, 'mention')).toBe('1 mentions');
    expect(indicatorText('vi', 1523.46, 'vnd_billion')).toBe('1.523,5 tỷ đồng');
    expect(indicatorText('vi', 85.46, 'usd_million')).toBe('85,5 triệu USD');
    expect(indicatorText('en', 103.5, 'index_point')).toBe('103.5 points');
    expect(indicatorText('vi', 7, 'mention')).toBe('7 lượt đề cập');
    expect(indicatorText('vi', 412, 'enterprise')).toBe('412 doanh nghiệp');
    expect(indicatorText('vi', null, 'percent')).toBe('—');
    expect(percentText('vi', 12.345)).toBe('12,3%');
    expect(percentText('en', null)).toBe('—');
    expect(ratioText('vi', 3.25)).toBe('3,3 lần');
    expect(ratioText('en', 3)).toBe('3.0×');
  });

  it('says a change in points for a rate and in per cent for a count, good or bad by the figure', () => {
    const k = (
      key: string,
      unit: 'percent' | 'dossier' | 'mention',
      delta: number | null,
      deltaRatio: number | null,
    ) => ({
      key,
      unit,
      delta,
      deltaRatio,
    });
    expect(formatServiceDelta('vi', k('onTimeRate', 'percent', 1.5, 0.016))).toEqual({
      text: '+1,5 điểm %',
      tone: 'good',
      arrow: '▲',
    });
    expect(formatServiceDelta('en', k('overdueNow', 'dossier', 4, 0.5))).toEqual({
      text: '+50%',
      tone: 'bad',
      arrow: '▲',
    });
    // neither good nor bad: more dossiers received is just more work
    expect(formatServiceDelta('en', k('received', 'dossier', -10, -0.1))?.tone).toBe('neutral');
    expect(formatServiceDelta('en', k('negativeShare', 'percent', -2, null))).toEqual({
      text: '−2 pts',
      tone: 'good',
      arrow: '▼',
    });
    expect(formatServiceDelta('vi', k('resolvedLate', 'dossier', 3, null))?.text).toBe('+3');
    expect(formatServiceDelta('vi', k('onTimeRate', 'percent', null, null))).toBeNull();
    // against a nearly empty previous period: "+6.845,8%" before
    expect(formatServiceDelta('vi', k('mentions', 'mention', 8215, 68.458))?.text).toBe('gấp 69 lần');
    expect(formatServiceDelta('en', k('negative', 'mention', 1932, 62.323))).toEqual({
      text: '×63',
      tone: 'bad',
      arrow: '▲',
    });
    expect(formatServiceDelta('vi', k('received', 'dossier', 2431, 1.865))?.text).toBe('+186,5%');
    // a percentage's change stays in points however large
    expect(formatServiceDelta('vi', k('onlineShare', 'percent', 50, 50))?.text).toBe('+50 điểm %');
  });

  it('names periods as Vietnamese reports do, and in English', () => {
    expect(periodName('vi', '2026-10')).toBe('tháng 10/2026');
    expect(periodName('en', '2026-10')).toBe('Oct 2026');
    expect(periodName('vi', '2026-Q3')).toBe('quý 3/2026');
    expect(periodName('en', '2026-Q3')).toBe('Q3 2026');
    expect(periodName('vi', '2026-10', true)).toBe('10/2026');
    expect(periodName('vi', '2026-Q3', true)).toBe('Q3/2026');
    expect(periodName('vi', '2026-10-05')).toBe('05/10/2026');
    expect(periodName('en', '2026-10-05')).toBe('5 Oct 2026');
  });

  it('says what span a tile covers, in the city time', () => {
    // local midnight of 1 December 2026 (UTC+7)
    const dec1 = Date.parse('2026-12-01T00:00:00+07:00');
    expect(spanText('vi', 'month', dec1)).toBe('tháng 12/2026');
    expect(spanText('en', 'quarter', Date.parse('2026-10-01T00:00:00+07:00'))).toBe('Q4 2026');
    expect(spanText('vi', 'today', Date.parse('2026-12-05T00:00:00+07:00'))).toBe('hôm nay, 05/12/2026');
    expect(spanText('en', 'now', dec1)).toBe('now');
  });
});
