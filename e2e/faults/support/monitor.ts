// Watches the IOC through a scenario: its /api/health every half second and its resident memory.
import type { IocProcess } from './iocProcess.ts';
import { onCleanup, rssMiB } from './util.ts';

export interface HealthSample {
  t: number;
  /** HTTP status, or 0 when nothing answered */
  code: number;
  db?: string;
  mqtt?: string;
  /** the adapter's Redis, where the IOC has one */
  redis?: string;
}

/** "503 db:down mqtt:ok" for a sample (and "redis:down" where it has one); "no answer" when the process did not answer. */
export const describeSample = (s: HealthSample): string =>
  s.code === 0
    ? 'no answer'
    : `${s.code} db:${s.db ?? '?'} mqtt:${s.mqtt ?? '?'}${s.redis ? ` redis:${s.redis}` : ''}`;

export class Monitor {
  readonly samples: HealthSample[] = [];
  peakRssMiB = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  /** `ioc()` is the process being watched now (it changes when a scenario restarts it). */
  constructor(private readonly ioc: () => IocProcess) {
    onCleanup('monitor', () => this.stop());
  }

  start(): this {
    this.timer = setInterval(() => void this.sample(), 500);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const p = this.ioc();
    try {
      const rss = p.exit ? undefined : rssMiB(p.pid);
      if (rss !== undefined) this.peakRssMiB = Math.max(this.peakRssMiB, rss);
      const t = Date.now();
      try {
        const r = await fetch(`${p.httpUrl}/api/health`, { signal: AbortSignal.timeout(4000) });
        const h = (await r.json().catch(() => ({}))) as { db?: string; mqtt?: string; redis?: string };
        this.samples.push({ t, code: r.status, db: h.db, mqtt: h.mqtt, redis: h.redis });
      } catch {
        this.samples.push({ t, code: 0 });
      }
    } finally {
      this.busy = false;
    }
  }

  /** The last sample taken. */
  latest(): HealthSample | undefined {
    return this.samples.at(-1);
  }

  /** Distinct answers between two times, most frequent first: "503 db:down mqtt:ok ×60, 200 … ×2". */
  summary(from: number, to = Date.now()): string {
    const counts = new Map<string, number>();
    for (const s of this.samples)
      if (s.t >= from && s.t <= to) counts.set(describeSample(s), (counts.get(describeSample(s)) ?? 0) + 1);
    if (!counts.size) return '(no sample)';
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
  }

  /** true when samples were taken between the two times and every one answered 200. */
  allOk(from: number, to: number): boolean {
    const within = this.samples.filter((s) => s.t >= from && s.t <= to);
    return within.length > 0 && within.every((s) => s.code === 200);
  }

  /** true when some sample between the two times matches. */
  saw(from: number, to: number, match: (s: HealthSample) => boolean): boolean {
    return this.samples.some((s) => s.t >= from && s.t <= to && match(s));
  }
}
