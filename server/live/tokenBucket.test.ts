import { describe, expect, it } from 'vitest';
import { TokenBucket } from './tokenBucket.ts';

describe('TokenBucket', () => {
  it('lets a burst through, then refills at its rate, never above the burst', () => {
    const b = new TokenBucket(3, 2, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    // 2 a second: one token after 500 ms, none more until the next 500 ms
    expect(b.take(499)).toBe(false);
    expect(b.take(510)).toBe(true);
    expect(b.take(700)).toBe(false);
    // a long quiet spell gives back the burst, not more
    expect([b.take(60_000), b.take(60_000), b.take(60_000), b.take(60_000)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
