import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityModel } from '#contract/assets.ts';
import { emptyBatch, type IngestBatch, type TrafficRecord } from '../domain/records.ts';
import { refreshAggregates, runPolicies, startAggregateRefresher } from './aggregates.ts';
import { saveCity } from './assetsRepo.ts';
import type { Db } from './db.ts';
import { trafficHistory } from './historyRepo.ts';
import { migrate } from './migrate.ts';
import { writeBatch } from './readingsRepo.ts';
import { insertRejects, listRejects } from './rejectsRepo.ts';
import { countReadings, latestCameraEvents, latestTraffic, openIncidents } from './stateRepo.ts';
import { type OpenedTestDb, testBackends } from './testDatabases.ts';

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const MIGRATIONS = [
  '001_assets.sql',
  '002_readings.sql',
  '003_incidents.sql',
  '004_rejects.sql',
  '005_aggregates.sql',
  '006_reports.sql',
  '007_dashboard.sql',
  '008_auth.sql',
  '009_devices.sql',
  '010_dashboard_districts.sql',
  '011_maintenance.sql',
  '012_alarms.sql',
  '013_alarm_engine.sql',
  '014_incident_detection.sql',
  '015_indicators.sql',
  '016_indicator_plans.sql',
  '017_indicator_alarms.sql',
  '018_indicator_hours.sql',
  '019_indicator_labels.sql',
  '020_security.sql',
  '021_units.sql',
  '022_crowd_hotspots.sql',
  '024_unplaced_reports.sql',
  '025_history_assignee.sql',
  '026_compress_after_a_day.sql',
  '027_compress_aggregates.sql',
];

/** A city of one square ward (105–106 E, 20–21 N) with these segments and no cameras. */
function squareCity(districtId: string, segments: CityModel['segments']): CityModel {
  return {
    name: 't',
    center: [105.5, 20.5],
    bbox: [105, 20, 106, 21],
    districts: [
      {
        id: districtId,
        name: districtId,
        ring: [
          [105, 20],
          [106, 20],
          [106, 21],
          [105, 20],
        ],
      },
    ],
    segments,
    cameras: [],
  };
}

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

  it('migrates once, also when two start at the same time; a later run applies nothing', async () => {
    const [a, b] = await Promise.all([migrate(db), migrate(db)]);
    expect([...a, ...b].sort()).toEqual(MIGRATIONS);
    expect(await migrate(db)).toEqual([]);
    const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(n.rows[0].n).toBe(MIGRATIONS.length);
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

  it('returns the newest reading per segment of the last hour, with speeds as sent', async () => {
    const now = Date.now();
    await writeBatch(
      db,
      batch({
        traffic: [
          traffic(now - 30 * M, 'seg-a', 10),
          traffic(now - 5 * M, 'seg-a', 42.3, 'a-2'),
          traffic(now - 20 * M, 'seg-b', 55),
          traffic(now - 2 * H, 'seg-c', 70),
        ],
      }),
    );
    const latest = await latestTraffic(db, { now });
    const bySegment = Object.fromEntries(latest.map((r) => [r.segmentId, r]));
    expect(bySegment['seg-a']).toEqual({
      time: now - 5 * M,
      segmentId: 'seg-a',
      speedKmh: 42.3,
      volume: 10,
      occupancy: 0.25,
      msgId: 'a-2',
    });
    expect(bySegment['seg-b'].speedKmh).toBe(55);
    expect(bySegment['seg-c']).toBeUndefined();
    expect(await countReadings(db)).toBeGreaterThanOrEqual(5);
  });

  it('round-trips text with commas, quotes, newlines and the empty string through COPY', async () => {
    const tricky = 'a,b "quoted" \\N \\. line1\nline2\r\n,"';
    const t = Date.now() - M;
    const r = await writeBatch(
      db,
      batch({
        cameraEvents: [
          {
            time: t,
            cameraId: 'cam-csv',
            kind: 'other',
            confidence: 0.9,
            count: null,
            snapshotUrl: tricky,
            msgId: 'e1',
          },
          {
            time: t + 1,
            cameraId: 'cam-csv2',
            kind: 'fire',
            confidence: null,
            count: 3,
            snapshotUrl: '',
            msgId: null,
          },
        ],
      }),
    );
    expect(r.cameraEvents).toBe(2);
    const events = await latestCameraEvents(db, t - M);
    const byCamera = Object.fromEntries(events.map((e) => [e.cameraId, e]));
    expect(byCamera['cam-csv']).toEqual({
      time: t,
      cameraId: 'cam-csv',
      kind: 'other',
      confidence: 0.9,
      count: null,
      snapshotUrl: tricky,
      msgId: 'e1',
    });
    expect(byCamera['cam-csv2'].snapshotUrl).toBe('');
    expect(byCamera['cam-csv2'].confidence).toBeNull();
  });

  it('lists rejects newest first, filtered by reason, payload kept verbatim', async () => {
    const t = Date.now() - H;
    await insertRejects(db, [
      { time: t, topic: 'ioc/x', reason: 'bad_json', detail: 'oldest', payload: '{"a":,\n"b"' },
      { time: t + 2000, topic: 'ioc/traffic/zz', reason: 'unknown_asset', detail: 'newest', payload: '' },
      { time: t + 1000, topic: 'ioc/y', reason: 'bad_json', detail: 'middle', payload: 'nul\u0000byte' },
    ]);
    const all = await listRejects(db, { limit: 10 });
    expect(all.map((r) => r.detail)).toEqual(['newest', 'middle', 'oldest']);
    expect(all[2]).toEqual({
      time: t,
      topic: 'ioc/x',
      reason: 'bad_json',
      detail: 'oldest',
      payload: '{"a":,\n"b"',
    });
    expect(all[1].payload).toBe('nul\uFFFDbyte');
    const bad = await listRejects(db, { limit: 1, reason: 'bad_json' });
    expect(bad.map((r) => r.detail)).toEqual(['middle']);
  });

  it('creates an incident once per msg_id with a reported event, and the audit trail refuses UPDATE', async () => {
    const t = Date.now() - 3 * M;
    const report = {
      time: t,
      category: 'flooding' as const,
      lat: 21.03,
      lon: 105.85,
      description: 'Water, "knee deep"',
      severity: 4,
      reporter: 'an',
      photoUrl: null,
      msgId: 'uuid-1',
      source: 'field' as const,
    };
    const first = await writeBatch(db, batch({ incidents: [report, { ...report }] }));
    expect(first.incidents).toHaveLength(1);
    const item = first.incidents[0];
    expect(item).toEqual({
      id: item.id,
      ts: t,
      updatedAt: t,
      category: 'flooding',
      severity: 4,
      status: 'new',
      lat: 21.03,
      lon: 105.85,
      description: 'Water, "knee deep"',
      reporter: 'an',
      source: 'field',
    });
    expect(item.id).toMatch(/^\d+$/);
    expect((await writeBatch(db, batch({ incidents: [{ ...report }] }))).incidents).toEqual([]);
    expect((await openIncidents(db)).map((i) => i.id)).toContain(item.id);

    const events = await db.query<{ action: string; actor: string; to_status: string }>(
      'SELECT action, actor, to_status FROM incident_events WHERE incident_id = $1',
      [Number(item.id)],
    );
    expect(events.rows).toEqual([{ action: 'reported', actor: 'an', to_status: 'new' }]);
    await expect(db.query("UPDATE incident_events SET note = 'edited'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM incident_events')).rejects.toThrow(/append-only/);
  });

  it('upserts the city model: a changed name and limit win', async () => {
    const city = {
      name: 't',
      center: [105.8, 21] as [number, number],
      bbox: [105, 20, 106, 22] as [number, number, number, number],
      districts: [
        {
          id: 'd1',
          name: 'One',
          ring: [
            [105, 20],
            [106, 20],
            [106, 21],
            [105, 20],
          ] as [number, number][],
        },
      ],
      segments: [
        {
          id: 's1',
          name: 'Old Rd',
          speedLimitKmh: 50,
          coords: [
            [105, 20],
            [105.1, 20.1],
          ] as [number, number][],
        },
      ],
      cameras: [{ id: 'c1', name: 'Cam', lon: 105.1, lat: 20.1, segmentId: 's1' }],
    };
    await saveCity(db, city);
    await saveCity(db, { ...city, segments: [{ ...city.segments[0], name: 'New Rd', speedLimitKmh: 60 }] });
    const s = await db.query<{ name: string; limit: number; coords: unknown }>(
      "SELECT name, speed_limit_kmh::float8 AS limit, coords FROM segments WHERE id = 's1'",
    );
    expect(s.rows).toEqual([
      {
        name: 'New Rd',
        limit: 60,
        coords: [
          [105, 20],
          [105.1, 20.1],
        ],
      },
    ]);
    const c = await db.query('SELECT id, segment_id FROM cameras');
    expect(c.rows).toEqual([{ id: 'c1', segment_id: 's1' }]);
  });

  it('answers history from the aggregates with hand-computed buckets, before and after a refresh', async () => {
    const base = Math.floor((Date.now() - 3 * DAY) / DAY) * DAY + 10 * H; // 10:00 UTC three days ago
    const at = (m: number, speed: number, volume: number): TrafficRecord => ({
      time: base + m * M,
      segmentId: 'seg-h',
      speedKmh: speed,
      volume,
      occupancy: null,
      msgId: `h-${m}`,
    });
    await writeBatch(
      db,
      batch({ traffic: [at(0, 40, 10), at(1, 60, 20), at(6, 30, 5), at(20, 50, 1), at(70, 20, 2)] }),
    );
    const range = { segmentId: 'seg-h', from: base - 2 * H, to: base + 3 * H };
    const point = (t: number, avg: number, min: number, volume: number, samples: number) => ({
      t,
      avgSpeedKmh: expect.closeTo(avg, 9),
      minSpeedKmh: min,
      volume,
      samples,
    });
    const check = async () => {
      const m5 = await trafficHistory(db, { ...range, bucket: '5m' });
      expect(m5.source).toBe('traffic_5m');
      expect(m5.points).toEqual([
        point(base, 50, 40, 30, 2),
        point(base + 5 * M, 30, 30, 5, 1),
        point(base + 20 * M, 50, 50, 1, 1),
        point(base + 70 * M, 20, 20, 2, 1),
      ]);
      const m15 = await trafficHistory(db, { ...range, bucket: '15m' });
      expect(m15.points).toEqual([
        point(base, 130 / 3, 30, 35, 3),
        point(base + 15 * M, 50, 50, 1, 1),
        point(base + 60 * M, 20, 20, 2, 1),
      ]);
      const h1 = await trafficHistory(db, { ...range, bucket: '1h' });
      expect(h1.source).toBe('traffic_1h');
      expect(h1.points).toEqual([point(base, 45, 30, 36, 4), point(base + H, 20, 20, 2, 1)]);
      const d1 = await trafficHistory(db, { segmentId: 'seg-h', from: base, to: base + 3 * H, bucket: '1d' });
      expect(d1.from).toBe(base - 10 * H);
      expect(d1.points).toEqual([point(base - 10 * H, 40, 20, 38, 5)]);
    };
    await check(); // real-time aggregation (or plain views) before any refresh
    await refreshAggregates(db, { from: base - DAY, to: Date.now() }, { closedOnly: true });
    await check();
    if (db.timescale) {
      const m = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM _timescaledb_catalog.continuous_agg WHERE user_view_name = 'traffic_5m'",
      );
      expect(m.rows[0].n).toBe(1);
    }
  });

  it('keeps readings of the hour still filling visible after a refresh (only closed buckets are materialised)', async () => {
    const t = Date.now();
    const hour = Math.floor(t / H) * H;
    await writeBatch(db, batch({ traffic: [traffic(hour, 'seg-open', 30)] }));
    const refresher = startAggregateRefresher(db, 60_000);
    await refresher.idle();
    await refresher.stop();
    // written after the refresh, in the same hour: the next minute's refresh must not be needed to see it
    await writeBatch(db, batch({ traffic: [traffic(Math.max(hour + 1000, t - 1000), 'seg-open', 50)] }));
    const h = await trafficHistory(db, { segmentId: 'seg-open', from: hour, to: hour + H, bucket: '1h' });
    expect(h.points.reduce((n, p) => n + p.samples, 0)).toBe(2);
  });

  it('refreshes on a timer (materialising the aggregates on TimescaleDB) and runs the policies', async () => {
    const t = Date.now() - 10 * M;
    await writeBatch(db, batch({ traffic: [traffic(t, 'seg-r', 33), traffic(t + 1000, 'seg-r', 35)] }));
    const warnings: unknown[] = [];
    const refresher = startAggregateRefresher(db, 60_000, {
      logger: { warn: (o) => warnings.push(o), error: (o) => warnings.push(o) },
    });
    await refresher.idle(); // the first (catch-up) run
    await refresher.stop();
    expect(warnings).toEqual([]);
    await runPolicies(db);
    if (db.timescale) {
      // The refresh wrote rows into traffic_5m's materialisation hypertable (not only real-time results).
      const mat = await db.query<{ schema: string; name: string }>(
        `SELECT materialization_hypertable_schema AS schema, materialization_hypertable_name AS name
         FROM timescaledb_information.continuous_aggregates WHERE view_name = 'traffic_5m'`,
      );
      const { schema, name } = mat.rows[0];
      const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${name}"`);
      expect(n.rows[0].n).toBeGreaterThan(0);
    }
    const from = Math.floor(t / (5 * M)) * 5 * M;
    const h = await trafficHistory(db, { segmentId: 'seg-r', from, to: from + 10 * M, bucket: '5m' });
    expect(h.points.reduce((n, p) => n + p.samples, 0)).toBe(2);
  });

  it("materialises the dashboard's today on every refresh, readings written since included", async () => {
    await saveCity(
      db,
      squareCity('dt', [
        {
          id: 's-today',
          name: 'T',
          speedLimitKmh: 50,
          districtId: 'dt',
          coords: [
            [105.2, 20.1],
            [105.3, 20.1],
          ],
        },
      ]),
    );
    const t = Date.now();
    const today = Math.floor((t + 7 * H) / DAY) * DAY - 7 * H;
    const samples = async () => {
      const r = await db.query<{ n: number | null }>(
        `SELECT sum(samples)::int AS n FROM traffic_district_1d WHERE district_id = 'dt' AND bucket = to_timestamp($1::float8 / 1000)`,
        [today],
      );
      return r.rows[0]?.n ?? 0;
    };
    await writeBatch(db, batch({ traffic: [traffic(Math.max(today, t - 2000), 's-today', 30)] }));
    await refreshAggregates(db, { from: t - 2 * H, to: t }, { closedOnly: true });
    expect(await samples()).toBe(1);
    await writeBatch(db, batch({ traffic: [traffic(Math.max(today + 1, t - 1000), 's-today', 40)] }));
    await refreshAggregates(db, { from: t - 2 * H, to: t }, { closedOnly: true });
    expect(await samples()).toBe(2);
    if (db.timescale) {
      // read from the materialised rows: today is not recomputed from the hourly aggregate per request
      const mat = await db.query<{ schema: string; name: string }>(
        `SELECT materialization_hypertable_schema AS schema, materialization_hypertable_name AS name
         FROM timescaledb_information.continuous_aggregates WHERE view_name = 'traffic_1d'`,
      );
      const { schema, name } = mat.rows[0];
      const n = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}"."${name}" WHERE segment_id = 's-today' AND bucket = to_timestamp($1::float8 / 1000)`,
        [today],
      );
      expect(n.rows[0].n).toBe(1);
    }
  });

  it('an upgrade to the per-district dashboard aggregates (sql/010) fills them from the history already stored', async () => {
    // a database at 009 with a month-old day of traffic in the daily aggregate
    const sqlDir = fileURLToPath(new URL('../../sql/', import.meta.url));
    const old = mkdtempSync(path.join(os.tmpdir(), 'ioc-sql-009-'));
    for (const f of readdirSync(sqlDir).filter((f) => /^00\d_.*\.sql$/.test(f)))
      copyFileSync(path.join(sqlDir, f), path.join(old, f));
    const up = await backend.open({ migrate: false });
    try {
      await migrate(up.db, old);
      await saveCity(
        up.db,
        squareCity('d1', [
          {
            id: 's-in',
            name: 'In',
            speedLimitKmh: 50,
            districtId: 'd1',
            coords: [
              [105.2, 20.1],
              [105.3, 20.1],
            ],
          },
          {
            id: 's-out',
            name: 'Out',
            speedLimitKmh: 50,
            coords: [
              [107, 22],
              [107.1, 22],
            ],
          },
        ]),
      );
      // 10:00 local (03:00 UTC), 20 days ago
      const day = Math.floor((Date.now() - 20 * DAY + 7 * H) / DAY) * DAY - 7 * H;
      await writeBatch(
        up.db,
        batch({
          traffic: [
            traffic(day + 3 * H, 's-in', 40),
            traffic(day + 3 * H + M, 's-in', 60),
            traffic(day + 3 * H, 's-out', 10),
          ],
        }),
      );
      if (up.db.timescale) {
        for (const v of ['traffic_5m', 'traffic_1h', 'traffic_1d'])
          await up.db.query(
            `CALL refresh_continuous_aggregate('${v}', to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000))`,
            [day, day + DAY],
          );
      } else {
        await up.db.query(
          'SELECT refresh_dashboard_aggregates(to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000))',
          [day, day + DAY],
        );
      }

      expect(await migrate(up.db)).toEqual([
        '010_dashboard_districts.sql',
        '011_maintenance.sql',
        '012_alarms.sql',
        '013_alarm_engine.sql',
        '014_incident_detection.sql',
        '015_indicators.sql',
        '016_indicator_plans.sql',
        '017_indicator_alarms.sql',
        '018_indicator_hours.sql',
        '019_indicator_labels.sql',
        '020_security.sql',
        '021_units.sql',
        '022_crowd_hotspots.sql',
        '024_unplaced_reports.sql',
        '025_history_assignee.sql',
        '026_compress_after_a_day.sql',
        '027_compress_aggregates.sql',
      ]);
      // readings keep arriving and the app's refresher runs over the last days only (materialising
      // yesterday moves TimescaleDB's watermark past the old day): the old day must stay rolled up
      await writeBatch(up.db, batch({ traffic: [traffic(Date.now() - DAY, 's-in', 30)] }));
      await refreshAggregates(up.db, { from: Date.now() - 2 * DAY, to: Date.now() }, { closedOnly: true });
      const r = await up.db.query<{ d: string | null; avg: number; samples: number }>(
        `SELECT district_id AS d, (speed_sum / samples)::float8 AS avg, samples::int AS samples
         FROM traffic_district_1d WHERE bucket = to_timestamp($1::float8 / 1000) ORDER BY district_id NULLS LAST`,
        [day],
      );
      expect(r.rows).toEqual([
        { d: 'd1', avg: 50, samples: 2 },
        { d: null, avg: 10, samples: 1 },
      ]);
    } finally {
      await up.dispose();
      rmSync(old, { recursive: true, force: true });
    }
  });
});
