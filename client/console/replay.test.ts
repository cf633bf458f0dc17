import { describe, expect, it } from 'vitest';
import { formatMoment, parseMoment } from './replay.ts';

// 07:40 on 6 December 2026 in the city (UTC+7)
const AT = Date.UTC(2026, 11, 6, 0, 40);

describe("the time bar's typed moment", () => {
  it('is written in the city time as each language writes dates, to the minute', () => {
    expect(formatMoment(AT + 59_000, 'vi')).toBe('07:40 06/12/2026');
    expect(formatMoment(AT, 'en')).toBe('06/12/2026 07:40');
  });

  it('reads what the operator types in either order, as the console writes it or as ISO', () => {
    for (const typed of [
      '07:40 06/12/2026',
      '06/12/2026 07:40',
      '6/12/2026 7:40',
      '  07:40   06/12/2026 ',
      '2026-12-06T07:40',
      '2026-12-06 07:40',
      '07:40:00 06/12/2026',
    ])
      expect(parseMoment(typed), typed).toBe(AT);
    expect(parseMoment(formatMoment(AT, 'vi'))).toBe(AT);
  });

  it('refuses what is not a moment instead of guessing (month first, no date, impossible days)', () => {
    for (const typed of [
      '',
      '07:40',
      '06/12/2026',
      '12/31/2026 07:40',
      '31/02/2026 07:40',
      '25:10 06/12/2026',
      'hôm qua',
    ])
      expect(parseMoment(typed), typed).toBeNaN();
  });
});
