import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type IngestBatch } from '../domain/records.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../testing/privatePostgres.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPostgres } from './postgresDb.ts';
import { writeBatch } from './readingsRepo.ts';

// A PostgreSQL of its own, stopped and started under load: the shared one must never be. It needs the
// server binaries (initdb, pg_ctl), as CI installs them; without them it fails, saying so.

const nextTick = () => new Promise((r) => setTimeout(r, 5));

describe('PostgreSQL stopped and restarted while writing', () => {
  let cluster: PrivatePostgres;
  let db: Db;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    cluster = await startPrivatePostgres();
    db = await openPostgres(cluster.url, {
      max: 4,
      logger: { warn: () => {}, error: () => {} },
    });
    await migrate(db);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await db?.close().catch(() => {});
    await cluster?.dispose();
  });

  it('survives `pg_ctl stop -m fast` mid-write: every call rejects while it is down, writes succeed after', async () => {
    let seq = 0;
    const ok = { batch: 0, copy: 0, tx: 0 };
    const failures: unknown[] = [];
    let stop = false;
    const batch = (): IngestBatch => {
      const t = Date.now();
      const n = seq++;
      return {
        ...emptyBatch(),
        traffic: Array.from({ length: 500 }, (_, i) => ({
          time: t - i,
          segmentId: `seg-${i % 50}`,
          speedKmh: 40,
          volume: 1,
          occupancy: null,
          msgId: `m-${n}-${i}`,
        })),
      };
    };
    // the three ways the store holds a connection: writeBatch (a transaction with COPY), a pooled COPY,
    // a transaction of several statements; a failed call is retried, as ingest does
    const loop = async (kind: keyof typeof ok, call: () => Promise<unknown>) => {
      while (!stop) {
        try {
          await call();
          ok[kind]++;
        } catch (e) {
          failures.push(e);
          await nextTick();
        }
      }
    };
    const loops = [
      loop('batch', () => writeBatch(db, batch())),
      loop('batch', () => writeBatch(db, batch())),
      loop('copy', () =>
        db.copyRows(
          'traffic_readings',
          ['time', 'segment_id', 'speed_kmh'],
          Array.from({ length: 2000 }, (_, i) => [new Date(Date.now() - i), 'seg-copy', 30]),
        ),
      ),
      loop('tx', () =>
        db.transaction(async (tx) => {
          await tx.query('SELECT count(*) FROM segments');
          await tx.query('SELECT pg_sleep(0.05)');
          await tx.query('SELECT 1');
        }),
      ),
    ];
    try {
      await expect.poll(() => ok.batch > 5 && ok.copy > 2 && ok.tx > 2).toBe(true);

      await cluster.stop('fast');
      const failedBefore = failures.length;
      // every call now fails as a rejected promise (the loops go on), and a health check says so in time
      await expect.poll(() => failures.length - failedBefore).toBeGreaterThan(10);
      const t0 = Date.now();
      await expect(db.query('SELECT 1')).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(2000);
      for (const f of failures) expect(f).toBeInstanceOf(Error);
      expect(uncaught).toEqual([]);

      await cluster.start();
      const after = { ...ok };
      await expect
        .poll(() => ok.batch > after.batch + 5 && ok.copy > after.copy && ok.tx > after.tx, {
          timeout: 15_000,
        })
        .toBe(true);
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    expect(uncaught).toEqual([]);
    // what was written before and after the outage is there, each batch whole
    const r = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM traffic_readings WHERE segment_id LIKE 'seg-%' AND segment_id <> 'seg-copy'",
    );
    expect(r.rows[0].n % 500).toBe(0);
    expect(r.rows[0].n).toBeGreaterThanOrEqual(500 * 10);
  });
});
