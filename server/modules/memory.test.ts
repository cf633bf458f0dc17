import { afterEach, describe, expect, it, vi } from 'vitest';
import { Bus } from '../bus.ts';
import { createLogger } from '../log.ts';
import { memoryModule } from './memory.ts';
import type { ModuleDeps } from './module.ts';

const MiB = 2 ** 20;

/** ~`mib` MiB of small objects, alive until the caller drops them (old enough to be promoted) */
function burst(mib: number): unknown[][] {
  const held: unknown[][] = [];
  for (let i = 0; i < mib; i++) held.push(Array.from({ length: 8_000 }, (_, j) => ({ i, j, s: `r${j}` })));
  return held;
}

describe('memory: garbage given back at a quiet moment', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  const start = (bus: Bus) => {
    const m = memoryModule({ checkMs: 50, growthBytes: 32 * MiB, quietPerS: 2_000 });
    m.start({ bus, log: createLogger('silent') } as unknown as ModuleDeps);
    stop = () => m.stop();
    return m;
  };

  it('after a burst the heap returns to what is alive once the ingest is quiet', async () => {
    const m = start(new Bus());
    let held: unknown[][] | undefined = burst(100);
    const peak = process.memoryUsage().heapUsed;
    expect(held.length).toBe(100);
    held = undefined;
    await vi.waitFor(() => expect(m.collections()).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    expect(process.memoryUsage().heapUsed).toBeLessThan(peak - 50 * MiB);
  });

  it('leaves the collector alone while the ingest is busy', async () => {
    const bus = new Bus();
    const m = start(bus);
    // 10,000 readings every 10 ms: far past quiet, even over a check's window the burst below stretches
    const busy = setInterval(
      () =>
        bus.emit('ingest:stored', {
          byKind: { traffic: 10_000 } as never,
          duplicates: 0,
          writeMs: 1,
          lagMs: 1,
        }),
      10,
    );
    const flowing = m.checks();
    await vi.waitFor(() => expect(m.checks()).toBeGreaterThan(flowing + 1), {
      timeout: 10_000,
      interval: 20,
    });
    let held: unknown[][] | undefined = burst(100);
    expect(held.length).toBe(100);
    held = undefined;
    try {
      const seen = m.checks();
      await vi.waitFor(() => expect(m.checks()).toBeGreaterThan(seen + 5), { timeout: 10_000, interval: 20 });
      expect(m.collections()).toBe(0);
    } finally {
      clearInterval(busy);
    }
  });
});
