import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBatch, type IngestBatch } from '../domain/records.ts';
import { refreshAggregates, runPolicies, startAggregateRefresher } from './aggregates.ts';
import type { Db } from './db.ts';
import { writeBatch } from './readingsRepo.ts';
import { trafficBuckets } from './replayRepo.ts';
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

  const batch = (n: number | string): IngestBatch => ({
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

  it('maintenance still gets a step every few seconds while writes never pause', async () => {
    // two writers back to back: one always waits while the other writes, so a lane served only when
    // no normal call waits was never served (the aggregates went stale while ingest was busy)
    let writing = true;
    const writer = async (w: number) => {
      for (let n = 0; writing; n++) await writeBatch(db, batch(`starve${w}-${n}`));
    };
    const writers = [writer(1), writer(2)];
    const stop = new AbortController();
    const stepsAt: number[] = [];
    const t0 = performance.now();
    const refresh = refreshAggregates(
      db,
      { from: Date.now() - 6 * H, to: Date.now() },
      { signal: stop.signal, onStep: () => stepsAt.push(performance.now() - t0) },
    ).catch((e) => (stop.signal.aborted ? undefined : Promise.reject(e)));
    while (stepsAt.length < 3 && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    writing = false;
    stop.abort();
    await Promise.all([...writers, refresh]);
    console.log(`steps while writing: ${stepsAt.map(Math.round).join(', ')} ms`);
    expect(stepsAt.length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('compresses the chunks older than the policy (a day) one at a time, the data still readable', async () => {
    const old = Date.now() - 10 * DAY;
    await db.exec(`INSERT INTO traffic_readings (time, segment_id, speed_kmh, volume)
      SELECT to_timestamp(${old / 1000} + i * 60), 'old-1', 30, 1 FROM generate_series(0, 2 * 24 * 60 - 1) i`);
    // materialised into the 5-minute and hourly aggregates, as the first start's backfill is
    await refreshAggregates(db, { from: old - H, to: old + 3 * DAY }, { only: ['traffic_5m', 'traffic_1h'] });
    const moment = Math.floor((old + DAY) / 300_000) * 300_000;
    const before = await trafficBuckets(db, moment, moment);
    const compressed: string[] = [];
    await runPolicies(db, { onStep: (s) => compressed.push(s.view) });
    // the raw readings and the 5-minute aggregate (sql/027: its materialisation by the view's name)
    const left = await db.query<{ table: string; n: number }>(
      `SELECT coalesce(a.view_name, c.hypertable_name) AS table, count(*)::int AS n
       FROM timescaledb_information.chunks c
       LEFT JOIN timescaledb_information.continuous_aggregates a ON a.materialization_hypertable_name = c.hypertable_name
       WHERE NOT c.is_compressed AND c.range_end <= now() - interval '1 day'
         AND coalesce(a.view_name, c.hypertable_name) IN ('traffic_readings', 'traffic_5m')
       GROUP BY 1`,
    );
    expect(left.rows).toEqual([]);
    const aggregateChunks = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM timescaledb_information.chunks c
       JOIN timescaledb_information.continuous_aggregates a ON a.materialization_hypertable_name = c.hypertable_name
       WHERE a.view_name = 'traffic_5m' AND c.is_compressed`,
    );
    expect(aggregateChunks.rows[0].n).toBeGreaterThanOrEqual(2);
    expect(compressed.filter((v) => v.includes('_hyper_')).length).toBeGreaterThanOrEqual(4);
    const r = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM traffic_readings WHERE segment_id = 'old-1'",
    );
    expect(r.rows[0].n).toBe(2 * 24 * 60);
    // the replay's moment reads the same figures from the compressed aggregate
    const after = await trafficBuckets(db, moment, moment);
    expect(after.filter((b) => b.segmentId === 'old-1')).toEqual([
      expect.objectContaining({ segmentId: 'old-1', avgSpeed: 30, samples: 5 }),
    ]);
    expect(after).toEqual(before);
  });
});

describe.each(testBackends())('readings by time on $name', (backend) => {
  let opened: OpenedTestDb;
  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it('finds the newest readings by a time index, not by a pass over the day (sql/011)', async () => {
    const db = opened.db;
    for (const table of ['traffic_readings', 'camera_status', 'camera_events']) {
      const r = await db.query<{ def: string }>(
        'SELECT indexdef AS def FROM pg_indexes WHERE tablename = $1',
        [table],
      );
      expect(r.rows.map((x) => x.def).some((d) => /\("?time"?( DESC)?\)$/.test(d))).toBe(true);
    }
  });
});

describe.each(testBackends())('the refresher on $name', (backend) => {
  let opened: OpenedTestDb;
  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it("does today's daily buckets once per 5 minutes, on the first run after a 5-minute bucket closes", async () => {
    const db = opened.db;
    await db.query(
      `INSERT INTO segments (id, name, speed_limit_kmh, coords) VALUES ('s-cad', 'C', 50, '[[0, 0], [1, 1]]')`,
    );
    // yesterday's local midnight (UTC+7): past, but newer than the retention and compression policies
    const day = Math.floor((Date.now() + 7 * H) / DAY) * DAY - 7 * H - DAY;
    let clock = day + 12 * H + 60_000; // 12:01 local: a minute into a 5-minute bucket
    const reading = (time: number): IngestBatch => ({
      ...emptyBatch(),
      traffic: [{ time, segmentId: 's-cad', speedKmh: 40, volume: 1, occupancy: null, msgId: null }],
    });
    const today = async () => {
      const r = await db.query<{ n: number | null }>(
        'SELECT sum(samples)::int AS n FROM traffic_1d WHERE bucket = to_timestamp($1::float8 / 1000)',
        [day],
      );
      return r.rows[0]?.n ?? 0;
    };
    const until = async (cond: () => Promise<boolean>) => {
      const t0 = Date.now();
      while (!(await cond())) {
        if (Date.now() - t0 > 30_000) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await writeBatch(db, reading(clock - 3 * 60_000));
    const refresher = startAggregateRefresher(db, 100, { now: () => clock });
    try {
      await refresher.idle(); // the first run: today's daily buckets done
      expect(await today()).toBe(1);
      await writeBatch(db, reading(clock - 20 * 60_000));
      await writeBatch(db, reading(clock - 1000));
      if (db.timescale) {
        // a run after the writes materialised the earlier, closed 5-minute bucket (its rows, not
        // real-time aggregation)...
        const id = await db.query<{ id: number }>(
          `SELECT mat_hypertable_id AS id FROM _timescaledb_catalog.continuous_agg WHERE user_view_name = 'traffic_5m'`,
        );
        await until(async () => {
          const r = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM _timescaledb_internal._materialized_hypertable_${id.rows[0].id}
             WHERE segment_id = 's-cad' AND bucket = to_timestamp($1::float8 / 1000)`,
            [clock - 20 * 60_000 - ((clock - 20 * 60_000) % (5 * 60_000))],
          );
          return r.rows[0].n > 0;
        });
        // ...but, in the same 5-minute bucket as the first run, left today's daily buckets alone
        expect(await today()).toBe(1);
      }
      clock += 4 * 60_000; // 12:05: the bucket 12:00-12:05 has closed
      await until(async () => (await today()) === 3);
    } finally {
      await refresher.stop();
    }
  }, 60_000);
});

// The indicators' hours (sql/015; on plain PostgreSQL materialised since sql/018): what the dashboard and
// the alarms read must be every value, the current hour's as it comes and a late one once refreshed.
describe.each(testBackends())('the indicator hours on $name', (backend) => {
  let opened: OpenedTestDb;
  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it('reads closed hours as refreshed and the current hour live, a late value once its hours are refreshed', async () => {
    const db = opened.db;
    const hour = Math.floor(Date.now() / H) * H;
    const put = (t: number, topic: string) =>
      db.query(
        `INSERT INTO indicator_values (time, indicator_id, value, topic, sentiment, via)
         VALUES (to_timestamp($1::float8 / 1000), 'online_mentions', 1, $2, 'negative', 'test')`,
        [t, topic],
      );
    const hours = async () =>
      (
        await db.query<{ t: number; n: number }>(
          `SELECT round(extract(epoch FROM bucket) * 1000)::float8 AS t, sum(value_sum)::int AS n FROM indicator_1h
           WHERE indicator_id = 'online_mentions' AND topic = 'h' AND bucket >= to_timestamp($1::float8 / 1000)
           GROUP BY bucket ORDER BY bucket`,
          [hour - 4 * H],
        )
      ).rows.map((r) => [Number(r.t), r.n]);
    await put(hour - 3 * H + 60_000, 'h');
    await put(hour - 3 * H + 120_000, 'h');
    await put(Date.now(), 'h');
    // as the app's refresher does: closed hours only
    await refreshAggregates(db, { from: hour - 4 * H, to: Date.now() }, { closedOnly: true });
    expect(await hours()).toEqual([
      [hour - 3 * H, 2],
      [hour, 1],
    ]);
    // the current hour shows a value as it comes; a late one for a closed hour once that is refreshed
    await put(Date.now(), 'h');
    await put(hour - 3 * H + 180_000, 'h');
    expect((await hours()).at(-1)).toEqual([hour, 2]);
    await refreshAggregates(db, { from: hour - 3 * H, to: hour - 2 * H }, { closedOnly: true });
    expect(await hours()).toEqual([
      [hour - 3 * H, 3],
      [hour, 2],
    ]);
  });
});
