/**
 * What to do with a report after one attempt to send it. `unauthenticated` (401) and
 * `forbidden` (403) are about the login, not the report: it is kept as it is until the
 * reporter logs in (again, or as someone who may report).
 */
export type SendOutcome = 'sent' | 'retry' | 'rejected' | 'unauthenticated' | 'forbidden';

/** Longest wait between two attempts: a phone in a dead zone still tries every few minutes. */
export const MAX_BACKOFF_MS = 5 * 60_000;
const BASE_BACKOFF_MS = 2_000;

/**
 * How the answer's HTTP status decides a report's fate: 2xx is received (a repeat is answered
 * 200 `duplicate`), 408/429 and 5xx are the network's or the server's trouble, 401/403 the
 * login's, every other 4xx is about the report itself and would fail the same way again.
 * `0` is a network failure.
 */
export function classifyStatus(status: number): SendOutcome {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status >= 400) return 'rejected';
  // 1xx/3xx never reach fetch's caller as final answers; treat as transient
  return 'retry';
}

/**
 * Wait before attempt number `attempts + 1` (after `attempts` failures): 2 s doubling to
 * 5 min, with ±25 % jitter so a crowd of phones coming back online does not retry in step.
 * A server's Retry-After, when given, is honoured as a floor.
 */
export function backoffMs(attempts: number, rand: number, retryAfterMs?: number): number {
  const exp = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exp * (0.75 + 0.5 * Math.min(1, Math.max(0, rand))));
  const capped = Math.min(MAX_BACKOFF_MS, jittered);
  return retryAfterMs !== undefined && retryAfterMs > capped ? Math.min(retryAfterMs, 3_600_000) : capped;
}

/** Retry-After in ms from its header (seconds or an HTTP date), if usable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
