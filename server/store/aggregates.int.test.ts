import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type IngestBatch } from '../domain/records.ts';
import { refreshAggregates, runPolicies } from './aggregates.ts';
import type { Db } from './db.ts';
import { writeBatch } from './readingsRepo.ts';
import { type OpenedTestDb, testBackends } from './testDatabases.ts';

const H = 3_600_000;
const DAY = 24 * H;
const HISTORY = 12 * H;

// The embedded database has one connection, shared by ingest, health checks and the aggregate
// refresher: maintenance must never hold it for long. (On PostgreSQL they have separate connections.)
describe.each(testBackends().filter((b) => b.name === 'pglite'))('maintenance on $name', (backend) => {
  let opened: OpenedTestDb;
  let db: Db;

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.db;
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  const batch = (n: number): IngestBatch => ({
    ...emptyBatch(),
    traffic: Array.from({ length: 200 }, (_, i) => ({
      time: Date.now() - i,
      segmentId: `live-${i % 20}`,
      speedKmh: 40,
      volume: 1,
      occupancy: null,
      msgId: `w${n}-${i}`,
    })),
  });

  it('a write and a health check wait for one refresh step, not for the refresh', async () => {
    // half a day of history not yet materialised (as after the first start's backfill): 100 segments every 30 s
    const to = Math.floor(Date.now() / H) * H;
    const from = to - HISTORY;
    await db.exec(`INSERT INTO traffic_readings (time, segment_id, speed_kmh, volume)
      SELECT to_timestamp(${from / 1000} + (i / 100) * 30), 'hist-' || (i % 100), 20 + i % 50, 3
      FROM generate_series(0, ${(HISTORY / 30_000) * 100 - 1}) i`);

    let steps = 0;
    let refreshing = true;
    const t0 = performance.now();
    const refresh = refreshAggregates(db, { from, to }, { closedOnly: true, onStep: () => steps++ }).then(
      () => {
        refreshing = false;
        return performance.now() - t0;
      },
    );
    // issued right after the refresh's first step: each is served after at most that one step
    const health = db.query('SELECT 1').then(() => ({ ms: performance.now() - t0, steps }));
    const first = writeBatch(db, batch(0)).then(() => ({ ms: performance.now() - t0, steps }));
    // and ingest writing back to back meanwhile: none waits for more than one step either
    const writes: { ms: number; stepsWaited: number }[] = [];
    const ingest = (async () => {
      for (let n = 1; refreshing; n++) {
        const [s0, w0] = [steps, performance.now()];
        await writeBatch(db, batch(n));
        writes.push({ ms: performance.now() - w0, stepsWaited: steps - s0 });
      }
    })();
    const [refreshMs, h, w] = await Promise.all([refresh, health, first]);
    await ingest;

    console.log(
      `refresh ${Math.round(refreshMs)} ms in ${steps} steps; SELECT 1 answered after ${Math.round(h.ms)} ms,` +
        ` first write ${Math.round(w.ms)} ms; ${writes.length} writes meanwhile, slowest ${Math.round(Math.max(...writes.map((x) => x.ms)))} ms`,
    );
    expect(steps).toBeGreaterThan(50); // the refresh was done in small steps...
    expect(h.steps).toBeLessThanOrEqual(1); // ...and the health check and the write waited for one at most
    expect(w.steps).toBeLessThanOrEqual(1);
    expect(writes.length).toBeGreaterThan(10);
    expect(Math.max(...writes.map((x) => x.stepsWaited))).toBeLessThanOrEqual(1);
    // in time a user would notice: far sooner than the whole refresh
    expect(h.ms).toBeLessThan(refreshMs / 4);
    expect(w.ms).toBeLessThan(refreshMs / 4);

    // and the refresh, done in steps, materialised all of it
    const n = await db.query<{ n: number }>(
      `SELECT sum(samples)::int AS n FROM traffic_1h WHERE segment_id LIKE 'hist-%'`,
    );
    expect(n.rows[0].n).toBe((HISTORY / 30_000) * 100);
  }, 120_000);

  it('compresses the chunks older than the policy one at a time, the data still readable', async () => {
    const old = Date.now() - 10 * DAY;
    await db.exec(`INSERT INTO traffic_readings (time, segment_id, speed_kmh, volume)
      SELECT to_timestamp(${old / 1000} + i * 60), 'old-1', 30, 1 FROM generate_series(0, 2 * 24 * 60 - 1) i`);
    const compressed: string[] = [];
    await runPolicies(db, { onStep: (s) => compressed.push(s.view) });
    const left = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM timescaledb_information.chunks
       WHERE hypertable_name = 'traffic_readings' AND NOT is_compressed AND range_end <= now() - interval '7 days'`,
    );
    expect(left.rows[0].n).toBe(0);
    expect(compressed.filter((v) => v.includes('_hyper_')).length).toBeGreaterThanOrEqual(2);
    const r = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM traffic_readings WHERE segment_id = 'old-1'",
    );
    expect(r.rows[0].n).toBe(2 * 24 * 60);
  });
});
