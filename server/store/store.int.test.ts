import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type IngestBatch, type TrafficRecord } from '../domain/records.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { writeBatch } from './readingsRepo.ts';
import { type OpenedTestDb, testBackends } from './testDatabases.ts';

const M = 60_000;

function traffic(
  time: number,
  segmentId: string,
  speedKmh: number,
  msgId: string | null = null,
): TrafficRecord {
  return { time, segmentId, speedKmh, volume: 10, occupancy: 0.25, msgId };
}

function batch(parts: Partial<IngestBatch>): IngestBatch {
  return { ...emptyBatch(), ...parts };
}

describe.each(testBackends())('store on $name', (backend) => {
  let opened: OpenedTestDb;
  let db: Db;

  beforeAll(async () => {
    opened = await backend.open({ migrate: false });
    db = opened.db;
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it('migrates once; a second run applies nothing', async () => {
    const first = await migrate(db);
    expect(first).toEqual([
      '001_assets.sql',
      '002_readings.sql',
      '003_incidents.sql',
      '004_rejects.sql',
      '005_aggregates.sql',
    ]);
    expect(await migrate(db)).toEqual([]);
    const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(n.rows[0].n).toBe(first.length);
  });

  it('stores a reading redelivered in the same batch and in a later batch once', async () => {
    const t = Date.now() - 10 * M;
    const dup = traffic(t, 'seg-dup', 42.5, 'msg-1');
    const r1 = await writeBatch(db, batch({ traffic: [dup, { ...dup }, traffic(t, 'seg-dup', 30, null)] }));
    expect(r1.traffic).toBe(2);
    const r2 = await writeBatch(db, batch({ traffic: [{ ...dup }] }));
    expect(r2.traffic).toBe(0);
    const rows = await db.query<{ speed: number; msg_id: string | null; ms: number }>(
      `SELECT speed_kmh::float8 AS speed, msg_id, (extract(epoch FROM time) * 1000)::float8 AS ms
       FROM traffic_readings WHERE segment_id = 'seg-dup' ORDER BY speed DESC`,
    );
    expect(rows.rows).toEqual([
      { speed: 42.5, msg_id: 'msg-1', ms: t },
      { speed: 30, msg_id: null, ms: t },
    ]);
  });
});
