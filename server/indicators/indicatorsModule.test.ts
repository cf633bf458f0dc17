import { describe, expect, it } from 'vitest';
import { closedHourRuns } from './indicatorsModule.ts';

const H = 3_600_000;

describe('the hours a late figure makes the module refresh', () => {
  it('merges touching hours, keeps apart the others, and leaves out the hour still filling', () => {
    const now = Date.UTC(2026, 10, 23, 10, 30);
    const hour = Math.floor(now / H) * H;
    const lastMonth = Date.UTC(2026, 9, 1) - 7 * H;
    expect(
      closedHourRuns([hour - 2 * H + 5, hour - H + 10, hour - 2 * H + 99, lastMonth, now - 60_000], hour),
    ).toEqual([
      [lastMonth, lastMonth + H],
      [hour - 2 * H, hour],
    ]);
    expect(closedHourRuns([now], hour)).toEqual([]);
  });
});
