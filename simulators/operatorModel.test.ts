import { describe, expect, it } from 'vitest';
import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
import { operatorTimeline } from './operatorModel.ts';

describe('operatorTimeline', () => {
  const t0 = Date.UTC(2026, 10, 20, 2, 0, 0);

  it('takes the lifecycle steps in order, each after the one before', () => {
    for (let id = 1; id <= 200; id++) {
      const steps = operatorTimeline({
        id: String(id),
        category: INCIDENT_CATEGORIES[id % 10],
        severity: (id % 5) + 1,
        reportedAt: t0,
      });
      expect(steps.map((s) => s.action)).toEqual(['acknowledge', 'assign', 'resolve', 'close']);
      let prev = t0;
      for (const s of steps) {
        expect(s.at).toBeGreaterThan(prev);
        prev = s.at;
      }
      expect(steps[1].assignee).toBeTruthy();
      // the simulated desk writes no sentence in one language: the console words each step
      expect(steps.map((s) => s.note)).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  it('acknowledges severe incidents faster than minor ones, in minutes', () => {
    const median = (severity: number) => {
      const xs = Array.from(
        { length: 301 },
        (_, i) =>
          operatorTimeline({ id: String(i + 1), category: 'traffic_accident', severity, reportedAt: t0 })[0]
            .at - t0,
      ).sort((a, b) => a - b);
      return xs[150] / 60_000;
    };
    expect(median(5)).toBeLessThan(median(1));
    expect(median(5)).toBeGreaterThan(1);
    expect(median(1)).toBeLessThan(30);
  });

  it('is the same timeline for the same incident and seed', () => {
    const a = operatorTimeline({ id: '7', category: 'fire', severity: 4, reportedAt: t0 });
    expect(operatorTimeline({ id: '7', category: 'fire', severity: 4, reportedAt: t0 })).toEqual(a);
    expect(operatorTimeline({ id: '7', category: 'fire', severity: 4, reportedAt: t0 }, 7)).not.toEqual(a);
  });
});
