import { describe, expect, it } from 'vitest';
import type { TrafficItem } from '#contract/live.ts';
import { Coalescer } from './coalescer.ts';

const t = (id: string, speedKmh: number, ts = 1): TrafficItem => ({ id, ts, speedKmh, level: 'free' });

describe('Coalescer', () => {
  it('sends only the latest state of each item, once, per flush', () => {
    const c = new Coalescer();
    c.add('traffic', [t('a', 10), t('b', 20)]);
    c.add('traffic', [t('a', 30)]);
    const [d] = c.flush(100);
    expect(d.layer).toBe('traffic');
    expect(d.items).toEqual([t('b', 20), t('a', 30)]);
    expect(c.flush(200)).toEqual([]);
  });

  it('numbers deltas per layer, rising by one per flush that has changes', () => {
    const c = new Coalescer();
    c.add('traffic', [t('a', 10)]);
    c.add('cameras', [{ id: 'cam', ts: 1, online: true }]);
    expect(c.flush(1).map((d) => [d.layer, d.seq])).toEqual([
      ['traffic', 1],
      ['cameras', 1],
    ]);
    c.add('traffic', [t('a', 11)]);
    expect(c.flush(2).map((d) => [d.layer, d.seq])).toEqual([['traffic', 2]]);
    expect(c.seq('cameras')).toBe(1);
    expect(c.seq('incidents')).toBe(0);
  });
});
