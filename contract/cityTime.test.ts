import { describe, expect, it } from 'vitest';
import { localDate, localDateStart, localDayEnd, localDayStart } from './cityTime.ts';

// 10 March 2025, 00:30 in the city is still 9 March in UTC
const JUST_AFTER_MIDNIGHT = Date.parse('2025-03-10T00:30:00+07:00');

describe('the city clock (UTC+7)', () => {
  it('puts an instant on its local date, not its UTC one', () => {
    expect(new Date(JUST_AFTER_MIDNIGHT).toISOString().slice(0, 10)).toBe('2025-03-09');
    expect(localDate(JUST_AFTER_MIDNIGHT)).toBe('2025-03-10');
  });

  it('starts and ends days at local midnight', () => {
    expect(localDayStart(JUST_AFTER_MIDNIGHT)).toBe(Date.parse('2025-03-10T00:00:00+07:00'));
    expect(localDayEnd(JUST_AFTER_MIDNIGHT)).toBe(Date.parse('2025-03-11T00:00:00+07:00'));
    expect(localDayStart(localDayStart(JUST_AFTER_MIDNIGHT))).toBe(localDayStart(JUST_AFTER_MIDNIGHT));
  });

  it('reads a local date as its local midnight', () => {
    expect(localDateStart('2025-03-10')).toBe(Date.parse('2025-03-10T00:00:00+07:00'));
    expect(localDate(localDateStart('2025-12-31'))).toBe('2025-12-31');
  });
});
