/**
 * A condition with an on-delay and an off-delay (and, through `reset`, hysteresis): it activates
 * once it has been tripped for `delayMs` and clears once it has been back past the reset point for
 * `clearDelayMs`. One sample in between restarts the wait, so a single reading never decides.
 */
export interface Debounce {
  active: boolean;
  /** first sample of the current tripped run while inactive */
  tripSince: number | null;
  /** first sample of the current reset run while active */
  resetSince: number | null;
  /** newest sample seen: older ones (late deliveries) are ignored */
  lastTs: number;
}

export const idle = (): Debounce => ({
  active: false,
  tripSince: null,
  resetSince: null,
  lastTs: Number.NEGATIVE_INFINITY,
});

/**
 * One sample at `ts`. `tripped`: past the alarm point; `reset`: back past the reset point (without
 * hysteresis, `!tripped`). A sample between the two keeps an active alarm active and restarts its
 * off-delay.
 */
export function observe(d: Debounce, ts: number, tripped: boolean, reset: boolean): Debounce {
  if (ts < d.lastTs) return d;
  if (!d.active) return { ...d, lastTs: ts, tripSince: tripped ? (d.tripSince ?? ts) : null };
  return { ...d, lastTs: ts, resetSince: reset ? (d.resetSince ?? ts) : null };
}

/** Whether the condition activates or clears at `now`: the last sample's verdict holds until the next one. */
export function settle(
  d: Debounce,
  now: number,
  delayMs: number,
  clearDelayMs: number,
): { d: Debounce; change: 'activate' | 'clear' | null } {
  if (!d.active && d.tripSince !== null && now - d.tripSince >= delayMs)
    return { d: { ...d, active: true, tripSince: null, resetSince: null }, change: 'activate' };
  if (d.active && d.resetSince !== null && now - d.resetSince >= clearDelayMs)
    return { d: { ...d, active: false, tripSince: null, resetSince: null }, change: 'clear' };
  return { d, change: null };
}

/** A debounce with nothing pending and inactive carries no information: the rules drop it. */
export const isIdle = (d: Debounce): boolean => !d.active && d.tripSince === null;

/** One sample for `stepAll`. */
export interface Sample {
  key: string;
  ts: number;
  tripped: boolean;
  reset: boolean;
}

/**
 * Applies `samples` to the debounces by key, then settles every one of them at `now`; returns the
 * keys that activated and cleared. The map is copied, never changed in place.
 */
export function stepAll(
  before: ReadonlyMap<string, Debounce>,
  samples: Sample[],
  now: number,
  delayMs: number,
  clearDelayMs: number,
): { states: Map<string, Debounce>; activated: string[]; cleared: string[] } {
  const states = new Map(before);
  for (const s of [...samples].sort((a, b) => a.ts - b.ts))
    states.set(s.key, observe(states.get(s.key) ?? idle(), s.ts, s.tripped, s.reset));
  const activated: string[] = [];
  const cleared: string[] = [];
  for (const [key, d] of states) {
    const r = settle(d, now, delayMs, clearDelayMs);
    if (r.change === 'activate') activated.push(key);
    if (r.change === 'clear') cleared.push(key);
    // keep what is pending or active, and the newest sample time of everything else so late samples stay ignored
    if (isIdle(r.d) && r.d.lastTs < now - Math.max(delayMs, clearDelayMs) - 3_600_000) states.delete(key);
    else states.set(key, r.d);
  }
  return { states, activated, cleared };
}
