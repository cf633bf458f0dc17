import { describe, expect, it } from 'vitest';
import { alarm } from './alarmFixtures.ts';
import { ALARM_TONES, burst, silenceKeys, soundingPriority } from './alarmSound.ts';

describe('alarm tones', () => {
  it('gives each priority its own tone: more urgent is higher, more pulses, repeated sooner', () => {
    const tones = ([1, 2, 3, 4] as const).map((p) => ALARM_TONES[p]);
    for (let i = 1; i < tones.length; i++) {
      expect(tones[i - 1].hz).toBeGreaterThan(tones[i].hz);
      expect(tones[i - 1].pulses).toBeGreaterThan(tones[i].pulses);
      expect(tones[i - 1].repeatMs).toBeLessThan(tones[i].repeatMs);
    }
    // every burst ends before the next begins
    for (const t of tones) {
      const last = burst(t).at(-1);
      expect((last?.atMs ?? 0) + (last?.ms ?? 0)).toBeLessThan(t.repeatMs);
    }
  });

  it('lays a burst out as pulses separated by gaps', () => {
    expect(burst(ALARM_TONES[2])).toEqual([
      { atMs: 0, ms: 170, hz: 880 },
      { atMs: 280, ms: 170, hz: 880 },
      { atMs: 560, ms: 170, hz: 880 },
    ]);
  });

  it('plays the most urgent active unacknowledged alarm', () => {
    expect(soundingPriority([alarm('a', { priority: 3 }), alarm('b', { priority: 2 })])).toBe(2);
    expect(soundingPriority([])).toBeNull();
  });

  it('is quiet for acknowledged, cleared, shelved and out-of-service alarms', () => {
    const quiet = [
      alarm('acked', { priority: 1, state: 'ack_active' }),
      alarm('cleared', { priority: 1, state: 'unack_cleared', latched: true }),
      alarm('shelved', { priority: 1, shelved: { by: 'op', reason: 'x', at: 0, until: null } }),
      alarm('oos', { priority: 1, suppressed: { by: 'admin', reason: 'x', at: 0 } }),
    ];
    expect(soundingPriority(quiet)).toBeNull();
    expect(soundingPriority([...quiet, alarm('low', { priority: 4 })])).toBe(4);
  });

  it('stays silent after "silence" until a new alarm, or the same alarm activating again', () => {
    const a = alarm('a', { priority: 2, activatedAt: 1000 });
    const silenced = silenceKeys([a]);
    expect(soundingPriority([a], silenced)).toBeNull();
    expect(soundingPriority([a, alarm('b', { priority: 4 })], silenced)).toBe(4);
    expect(soundingPriority([{ ...a, activatedAt: 9000 }], silenced)).toBe(2);
  });
});
