import { describe, expect, it } from 'vitest';
import { neutralize } from './audit.ts';
import { LoginThrottle } from './throttle.ts';

describe('login throttle', () => {
  it('locks after the free failures, doubling, and forgets after success', () => {
    let t = 0;
    const th = new LoginThrottle({ free: 5, baseLockMs: 30_000, windowMs: 900_000, now: () => t });
    for (let i = 0; i < 4; i++) th.fail('bob');
    expect(th.retryAfterMs('bob')).toBe(0);
    th.fail('bob');
    expect(th.retryAfterMs('bob')).toBe(30_000);
    t += 30_000;
    expect(th.retryAfterMs('bob')).toBe(0);
    th.fail('bob');
    expect(th.retryAfterMs('bob')).toBe(60_000);
    th.succeed('bob');
    expect(th.retryAfterMs('bob')).toBe(0);
    expect(th.retryAfterMs('alice')).toBe(0);
  });
});

describe('log safety', () => {
  it('makes newlines and escapes in names visible instead of forging lines', () => {
    expect(neutralize('bob\n2026-11-23 admin login ok')).toBe('bob\\n2026-11-23 admin login ok');
    expect(neutralize('x\u001b[31mred\r')).toBe('x\\u001b[31mred\\r');
    expect(neutralize('a'.repeat(300))).toHaveLength(201);
  });
});
