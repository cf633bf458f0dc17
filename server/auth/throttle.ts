/**
 * Login throttling: failures are counted per username and per address over a window; past a few,
 * further attempts are refused (without checking the password) for a lock that doubles with each
 * failure, up to the window. Kept in memory: each instance throttles what it sees.
 */
export interface ThrottleOptions {
  /** failures allowed before the lock starts */
  free: number;
  /** first lock, doubled per further failure */
  baseLockMs: number;
  windowMs: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  first: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly map = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly o: ThrottleOptions) {
    this.now = o.now ?? Date.now;
  }

  /** ms to wait before this key may try again; 0 when it may try now */
  retryAfterMs(key: string): number {
    const e = this.fresh(key);
    return e ? Math.max(0, e.lockedUntil - this.now()) : 0;
  }

  fail(key: string): void {
    const t = this.now();
    const e = this.fresh(key) ?? { failures: 0, first: t, lockedUntil: 0 };
    e.failures++;
    if (e.failures >= this.o.free) {
      const lock = Math.min(this.o.windowMs, this.o.baseLockMs * 2 ** (e.failures - this.o.free));
      e.lockedUntil = t + lock;
    }
    this.map.set(key, e);
    if (this.map.size > 100_000) this.sweep();
  }

  succeed(key: string): void {
    this.map.delete(key);
  }

  private fresh(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e && this.now() - e.first > this.o.windowMs && this.now() >= e.lockedUntil) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    for (const k of [...this.map.keys()]) this.fresh(k);
  }
}
