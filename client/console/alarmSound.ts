// The alarm tones, pure: which priority sounds now, and what its tone is made of. The player
// (alarmAudio.ts) turns a tone into Web Audio oscillators. After IEC 60601-1-8: the more urgent, the
// higher, the more pulses in a burst, and the sooner the burst repeats, so an operator tells them
// apart without looking.
import type { AlarmItem, AlarmPriority } from '#contract/alarmVocab.ts';
import { isWatched } from './alarmList.ts';

export interface AlarmTone {
  /** pitch of each pulse, Hz */
  hz: number;
  /** pulses in one burst */
  pulses: number;
  pulseMs: number;
  /** silence between two pulses of a burst */
  gapMs: number;
  /** from the start of one burst to the start of the next */
  repeatMs: number;
  wave: 'sine' | 'triangle' | 'square';
}

export const ALARM_TONES: Record<AlarmPriority, AlarmTone> = {
  1: { hz: 988, pulses: 5, pulseMs: 140, gapMs: 70, repeatMs: 2_000, wave: 'square' },
  2: { hz: 880, pulses: 3, pulseMs: 170, gapMs: 110, repeatMs: 4_000, wave: 'triangle' },
  3: { hz: 660, pulses: 2, pulseMs: 220, gapMs: 160, repeatMs: 8_000, wave: 'triangle' },
  4: { hz: 523, pulses: 1, pulseMs: 300, gapMs: 0, repeatMs: 15_000, wave: 'sine' },
};

/** One burst's pulses: start (ms from the burst's start), length, pitch. */
export function burst(tone: AlarmTone): Array<{ atMs: number; ms: number; hz: number }> {
  return Array.from({ length: tone.pulses }, (_, i) => ({
    atMs: i * (tone.pulseMs + tone.gapMs),
    ms: tone.pulseMs,
    hz: tone.hz,
  }));
}

/** A silence remembers which activations it covered: an alarm that activates again sounds again. */
export const soundKey = (a: Pick<AlarmItem, 'id' | 'activatedAt'>): string => `${a.id}@${a.activatedAt ?? 0}`;

/**
 * The priority whose tone plays now: the most urgent among watched alarms that are active and
 * unacknowledged (a cleared one waits silently in the list), leaving out those a silence covered.
 * null: quiet.
 */
export function soundingPriority(
  all: Iterable<AlarmItem>,
  silenced: ReadonlySet<string> = new Set(),
): AlarmPriority | null {
  let best: AlarmPriority | null = null;
  for (const a of all) {
    if (a.state !== 'unack_active' || !isWatched(a) || silenced.has(soundKey(a))) continue;
    if (best === null || a.priority < best) best = a.priority;
    if (best === 1) break;
  }
  return best;
}

/** What a silence covers: every alarm that could sound now. */
export function silenceKeys(all: Iterable<AlarmItem>): Set<string> {
  const out = new Set<string>();
  for (const a of all) if (a.state === 'unack_active') out.add(soundKey(a));
  return out;
}
