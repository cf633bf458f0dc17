import os from 'node:os';

/** Megapixels of photos an account may have decoded per minute (five photos at the 50 MP limit). */
export const PHOTO_BUDGET_MP_PER_MIN = 250;

export interface PhotoGateOptions {
  /** megapixels an account may have decoded per minute; also the most it may spend at once */
  budgetMp?: number;
  /** decodes running at once (default: one per core) */
  concurrency?: number;
  /** photos that may wait for a decode; a report whose photos do not fit is answered busy at once */
  maxQueued?: number;
  /** longest a photo waits for a decode before its report is answered busy */
  maxWaitMs?: number;
  now?: () => number;
}

/** A report's photos could not be decoded in time: the server is busy (503, Retry-After). */
export class PhotoBusyError extends Error {
  constructor(readonly retryAfterS: number) {
    super('photo decoding is busy');
  }
}

interface Bucket {
  mp: number;
  at: number;
}

/**
 * What decoding uploaded photos may cost. A 49 MP photo takes about half a second of a core to
 * decode and shrink: within the per-account report rate, a cheap way to keep the server busy. So each
 * account has a token bucket of decoded megapixels (charged from the photos' headers before any
 * decode, refilled continuously), and decodes run at most `concurrency` at once with a bounded queue.
 */
export class PhotoGate {
  readonly budgetMp: number;
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;
  private running = 0;
  private readonly waiting: Array<{ start: () => void; timer: NodeJS.Timeout }> = [];

  constructor(o: PhotoGateOptions = {}) {
    this.budgetMp = o.budgetMp ?? PHOTO_BUDGET_MP_PER_MIN;
    this.concurrency = Math.max(1, o.concurrency ?? os.availableParallelism());
    this.maxQueued = o.maxQueued ?? this.concurrency * 10;
    this.maxWaitMs = o.maxWaitMs ?? 15_000;
    this.now = o.now ?? Date.now;
  }

  private level(key: string, t: number): number {
    const b = this.buckets.get(key);
    if (!b) return this.budgetMp;
    return Math.min(this.budgetMp, b.mp + ((t - b.at) * this.budgetMp) / 60_000);
  }

  /**
   * Takes `mp` megapixels from the account's budget, or says in how many seconds it will have them.
   * More than the whole budget at once is charged when the bucket is full (never refused forever).
   */
  charge(key: string, mp: number): { ok: true } | { ok: false; retryAfterS: number } {
    const t = this.now();
    this.sweep(t);
    if (mp <= 0) return { ok: true };
    const have = this.level(key, t);
    const need = Math.min(mp, this.budgetMp);
    if (have < need)
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(((need - have) * 60) / this.budgetMp)) };
    this.buckets.set(key, { mp: have - mp, at: t });
    return { ok: true };
  }

  /** Gives back what `charge` took for photos that were not decoded after all. */
  refund(key: string, mp: number): void {
    const b = this.buckets.get(key);
    if (b && mp > 0) b.mp = Math.min(this.budgetMp, b.mp + mp);
  }

  /** Whether `n` more photos may be decoded now or wait in line for it. */
  hasRoom(n: number): boolean {
    const free = Math.max(0, this.concurrency - this.running);
    return this.waiting.length + Math.max(0, n - free) <= this.maxQueued;
  }

  /** A decode slot held while `fn` runs; waits in line, at most `maxWaitMs` (then PhotoBusyError). */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) throw new PhotoBusyError(this.retryAfterS());
      await new Promise<void>((resolve, reject) => {
        const entry = {
          start: () => {
            clearTimeout(entry.timer);
            resolve();
          },
          timer: setTimeout(() => {
            const i = this.waiting.indexOf(entry);
            if (i >= 0) this.waiting.splice(i, 1);
            reject(new PhotoBusyError(this.retryAfterS()));
          }, this.maxWaitMs),
        };
        this.waiting.push(entry);
      });
    } else this.running++;
    try {
      return await fn();
    } finally {
      // the slot passes straight to the next in line, so `running` counts it without a gap
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  /** Decodes running and waiting, for tests and metrics. */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private retryAfterS(): number {
    return Math.max(1, Math.ceil(this.maxWaitMs / 1000));
  }

  // a bucket that has refilled is the same as no bucket: drop them, at most once a minute
  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    for (const k of [...this.buckets.keys()]) if (this.level(k, t) >= this.budgetMp) this.buckets.delete(k);
  }
}
