import { describe, expect, it } from 'vitest';
import { backoffMs, classifyStatus, MAX_BACKOFF_MS, parseRetryAfter } from './retry.ts';

describe('classifyStatus', () => {
  it('treats a receipt and a duplicate as sent', () => {
    expect(classifyStatus(201)).toBe('sent');
    expect(classifyStatus(200)).toBe('sent');
  });
  it('retries network failures, timeouts, throttling and server errors', () => {
    for (const s of [0, 408, 429, 500, 502, 503, 504]) expect(classifyStatus(s)).toBe('retry');
  });
  it('stops on every other 4xx: the same report would fail the same way', () => {
    for (const s of [400, 404, 409, 413, 415, 422]) expect(classifyStatus(s)).toBe('rejected');
  });
  it('tells a login problem (401, 403) from a problem with the report', () => {
    expect(classifyStatus(401)).toBe('unauthenticated');
    expect(classifyStatus(403)).toBe('forbidden');
  });
});

describe('backoffMs', () => {
  it('doubles from 2 s with jitter of ±25 %', () => {
    expect(backoffMs(1, 0.5)).toBe(2000);
    expect(backoffMs(2, 0.5)).toBe(4000);
    expect(backoffMs(5, 0.5)).toBe(32_000);
    expect(backoffMs(1, 0)).toBe(1500);
    expect(backoffMs(1, 1)).toBe(2500);
  });
  it('never waits more than 5 minutes, however many failures', () => {
    for (const n of [9, 10, 30, 1000]) expect(backoffMs(n, 1)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    expect(backoffMs(1000, 0.5)).toBe(MAX_BACKOFF_MS);
  });
  it("honours the server's Retry-After as a floor", () => {
    expect(backoffMs(1, 0.5, 30_000)).toBe(30_000);
    expect(backoffMs(8, 0.5, 1000)).toBe(256_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T08:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 08:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
