import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyBatch } from '../domain/records.ts';
import { refreshAggregates } from './aggregates.ts';
import { trafficHistory } from './historyRepo.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pgliteDb.ts';
import { writeBatch } from './readingsRepo.ts';

describe('embedded database across a restart', () => {
  it('keeps what was stored and still refreshes the continuous aggregates', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-pglite-'));
    try {
      const t = Date.UTC(2026, 10, 20, 1, 0, 0);
      let db = await openPglite({ dataDir: dir });
      await migrate(db);
      await writeBatch(db, {
        ...emptyBatch(),
        traffic: [10, 20, 30].map((speedKmh, i) => ({
          time: t + i * 60_000,
          segmentId: 'seg-x',
          speedKmh,
          volume: 5,
          occupancy: null,
          msgId: `m${i}`,
        })),
      });
      await db.close();

      db = await openPglite({ dataDir: dir });
      expect(await migrate(db)).toEqual([]);
      // a second start must be able to materialise new data (it failed with a "license" error before)
      await writeBatch(db, {
        ...emptyBatch(),
        traffic: [
          { time: t + 3 * 60_000, segmentId: 'seg-x', speedKmh: 40, volume: 5, occupancy: null, msgId: 'm3' },
        ],
      });
      await refreshAggregates(db, { from: t - 3_600_000, to: t + 3_600_000 });
      const h = await trafficHistory(db, { segmentId: 'seg-x', from: t, to: t + 300_000, bucket: '5m' });
      expect(h.points).toHaveLength(1);
      expect(h.points[0]).toMatchObject({ samples: 4, avgSpeedKmh: 25 });
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM traffic_readings');
      expect(rows[0].n).toBe(4);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded database directory', () => {
  it('refuses a second open while the first holds it, and is free again after close', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-pglite-'));
    try {
      const db = await openPglite({ dataDir: dir });
      await expect(openPglite({ dataDir: dir })).rejects.toThrow(/already open|in use/);
      await db.close();
      const again = await openPglite({ dataDir: dir });
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
