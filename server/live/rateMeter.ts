import type { Bus } from '../bus.ts';

/** Messages stored and rejected per second, over the interval since the previous sample. */
export function rateMeter(bus: Bus, key: string) {
  let stored = 0;
  let rejected = 0;
  let last = Date.now();
  bus.on('ingest:stored', key, (e) => {
    for (const n of Object.values(e.byKind)) stored += n;
  });
  bus.on('ingest:rejected', key, () => {
    rejected++;
  });
  return {
    sample() {
      const now = Date.now();
      const s = Math.max(0.001, (now - last) / 1000);
      const out = {
        ingestRate: Math.round((stored / s) * 10) / 10,
        rejectRate: Math.round((rejected / s) * 10) / 10,
      };
      stored = 0;
      rejected = 0;
      last = now;
      return out;
    },
  };
}
