import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityModel } from '#contract/assets.ts';
import { roundAsShown } from '#contract/csv.ts';
import type { DashboardResponse, IncidentGroup, Kpi, SeriesDay } from '#contract/dashboardApi.ts';
import { refreshAggregates } from '../store/aggregates.ts';
import { saveCity } from '../store/assetsRepo.ts';
import { dashboardQueries } from '../store/dashboardRepo.ts';
import type { Db } from '../store/db.ts';
import { type OpenedTestDb, testBackends } from '../store/testDatabases.ts';
import { dashboardRouter } from './dashboardRouter.ts';
import { errorHandler } from './errors.ts';

const H = 3_600_000;
const MIN = 60_000;
const D0 = Date.parse('2025-03-10T00:00:00+07:00'); // the period: one local day
const D1 = D0 + 24 * H;

const square = (x: number): [number, number][] => [
  [x, 13.0],
  [x + 0.1, 13.0],
  [x + 0.1, 13.1],
  [x, 13.1],
  [x, 13.0],
];
const city: CityModel = {
  name: 'Test',
  center: [108.1, 13.05],
  bbox: [108, 13, 108.2, 13.1],
  districts: [
    { id: 'd1', name: 'Phường Một', ring: square(108.0) },
    { id: 'd2', name: 'Phường Hai', ring: square(108.1) },
  ],
  segments: [
    {
      id: 'a',
      name: 'Đường A',
      speedLimitKmh: 50,
      districtId: 'd1',
      coords: [
        [108.01, 13.01],
        [108.02, 13.01],
      ],
    },
    {
      id: 'b',
      name: 'Đường B',
      speedLimitKmh: 50,
      districtId: 'd1',
      coords: [
        [108.03, 13.01],
        [108.04, 13.01],
      ],
    },
    {
      id: 'c',
      name: 'Đường C',
      speedLimitKmh: 60,
      districtId: 'd2',
      coords: [
        [108.11, 13.01],
        [108.12, 13.01],
      ],
    },
  ],
  cameras: [
    { id: 'cam1', name: 'Camera 1', lon: 108.01, lat: 13.01, districtId: 'd1' },
    { id: 'cam2', name: 'Camera 2', lon: 108.11, lat: 13.01, districtId: 'd2' },
  ],
};
const LIMIT: Record<string, number> = { a: 50, b: 50, c: 60 };
const DISTRICT: Record<string, string> = { a: 'd1', b: 'd1', c: 'd2' };

// Readings every 5 minutes. Local hour h of day `day` starts at day + h*H.
type Reading = [time: number, segment: string, speed: number];
const readings: Reading[] = [];
for (let m = 0; m < 24 * 60; m += 5) {
  const t = D0 + m * MIN;
  const h = Math.floor(m / 60);
  readings.push([t, 'a', h === 7 || h === 8 ? 10 : h === 17 ? 20 : 40]);
  readings.push([t, 'b', 30]);
  if (h === 7) readings.push([t, 'c', 12]);
  readings.push([t - 24 * H, 'a', 50]); // the previous day
}

type Status = [time: number, camera: string, online: boolean];
const statuses: Status[] = [];
for (let m = 0; m < 24 * 60; m += 10) {
  const h = Math.floor(m / 60);
  statuses.push([D0 + m * MIN, 'cam1', h < 10 || h >= 14]);
  if (h < 12) statuses.push([D0 + m * MIN, 'cam2', (m / 10) % 2 === 0]);
  statuses.push([D0 - 24 * H + m * MIN, 'cam1', true]);
}

interface Inc {
  category: string;
  district: 'd1' | 'd2';
  source: string;
  created: number;
  ack?: number;
  resolved?: number;
  closed?: number;
  mergedInto?: number;
}
const at = (day: number, hh: number, mm = 0) => day + hh * H + mm * MIN;
const incidents: Inc[] = [
  { category: 'fire', district: 'd1', source: 'field', created: at(D0, 8), ack: 5, resolved: 90 },
  { category: 'fire', district: 'd1', source: 'mqtt', created: at(D0, 9), ack: 15, resolved: 180 },
  {
    category: 'traffic_accident',
    district: 'd2',
    source: 'open311',
    created: at(D0, 10),
    ack: 10,
    resolved: 120,
  },
  { category: 'flooding', district: 'd2', source: 'camera', created: at(D0, 11), ack: 30 },
  { category: 'waste', district: 'd1', source: 'field', created: at(D0, 12) },
  { category: 'other', district: 'd1', source: 'field', created: at(D0, 13), ack: 60, resolved: 300 },
  // a duplicate merged into the first: left out everywhere
  { category: 'fire', district: 'd1', source: 'field', created: at(D0, 8, 5), closed: 20, mergedInto: 0 },
  { category: 'fire', district: 'd1', source: 'field', created: at(D0 - 24 * H, 8), ack: 20, resolved: 60 },
  { category: 'waste', district: 'd2', source: 'mqtt', created: at(D0 - 24 * H, 20) },
  // reported three days before, resolved in the period (72.5 h: late)
  { category: 'lighting', district: 'd1', source: 'field', created: at(D0 - 72 * H, 9), resolved: 72.5 * 60 },
];
const TARGET_H: Record<string, number> = { fire: 2, traffic_accident: 4, flooding: 24 };

// ---- the figures, computed by hand from the seeded lists ----
function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
function expectedIncidents(from: number, until: number, district?: string) {
  const list = incidents.filter((i) => i.mergedInto === undefined && (!district || i.district === district));
  const resolvedAt = (i: Inc) => (i.resolved === undefined ? undefined : i.created + i.resolved * MIN);
  const inRange = (t: number | undefined) => t !== undefined && t >= from && t < until;
  const resolved = list.filter((i) => inRange(resolvedAt(i)));
  const onTime = resolved.filter((i) => (i.resolved as number) <= (TARGET_H[i.category] ?? 72) * 60);
  const acked = list.filter((i) => i.ack !== undefined && inRange(i.created + i.ack * MIN));
  return {
    received: list.filter((i) => inRange(i.created)).length,
    resolved: resolved.length,
    open: list.filter((i) => i.created < until && !((resolvedAt(i) ?? Infinity) < until)).length,
    onTimeRate: resolved.length ? onTime.length / resolved.length : null,
    ackMedian: percentile(
      acked.map((i) => i.ack as number),
      0.5,
    ),
    ackP90: percentile(
      acked.map((i) => i.ack as number),
      0.9,
    ),
    resolveMedian: percentile(
      resolved.map((i) => i.resolved as number),
      0.5,
    ),
    resolveP90: percentile(
      resolved.map((i) => i.resolved as number),
      0.9,
    ),
  };
}
function expectedTraffic(from: number, to: number, district?: string) {
  const rs = readings.filter((r) => r[0] >= from && r[0] < to && (!district || DISTRICT[r[1]] === district));
  const mean = (xs: Reading[]) => (xs.length ? xs.reduce((s, r) => s + r[2], 0) / xs.length : null);
  const localHour = (t: number) => new Date(t + 7 * H).getUTCHours();
  const hours = new Map<string, Reading[]>();
  for (const r of rs) {
    const k = `${r[1]}@${Math.floor(r[0] / H)}`;
    hours.set(k, [...(hours.get(k) ?? []), r]);
  }
  let congested = 0;
  for (const [k, xs] of hours) if ((mean(xs) as number) < 0.3 * LIMIT[k.split('@')[0]]) congested++;
  return {
    avgSpeed: mean(rs),
    peakSpeed: mean(rs.filter((r) => [7, 8, 17, 18].includes(localHour(r[0])))),
    congestedHours: congested,
    congestionShare: hours.size ? congested / hours.size : null,
  };
}
function expectedAvailability(from: number, to: number, district?: string) {
  const camDistrict: Record<string, string> = { cam1: 'd1', cam2: 'd2' };
  const hours = new Map<string, boolean[]>();
  for (const s of statuses) {
    if (s[0] < from || s[0] >= to || (district && camDistrict[s[1]] !== district)) continue;
    const k = `${s[1]}@${Math.floor(s[0] / H)}`;
    hours.set(k, [...(hours.get(k) ?? []), s[2]]);
  }
  let online = 0;
  for (const xs of hours.values()) online += xs.filter(Boolean).length / xs.length;
  return hours.size ? online / hours.size : null;
}

async function seed(db: Db): Promise<void> {
  // incidents first: their districts are filled in when the city model arrives
  const ids: number[] = [];
  for (const i of incidents) {
    const lon = i.district === 'd1' ? 108.05 : 108.15;
    const ts = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    const r = await db.query<{ id: number }>(
      `INSERT INTO incidents (source, category, lat, lon, status, created_at, updated_at, acknowledged_at, resolved_at, closed_at, merged_into)
       VALUES ($1, $2, 13.05, $3, $4, $5, $5, $6, $7, $8, $9) RETURNING id::int AS id`,
      [
        i.source,
        i.category,
        lon,
        i.closed !== undefined
          ? 'closed'
          : i.resolved !== undefined
            ? 'resolved'
            : i.ack !== undefined
              ? 'acknowledged'
              : 'new',
        ts(i.created),
        ts(i.ack === undefined ? undefined : i.created + i.ack * MIN),
        ts(i.resolved === undefined ? undefined : i.created + i.resolved * MIN),
        ts(i.closed === undefined ? undefined : i.created + i.closed * MIN),
        i.mergedInto === undefined ? null : ids[i.mergedInto],
      ],
    );
    ids.push(r.rows[0].id);
  }
  await saveCity(db, city);
  await db.copyRows(
    'traffic_readings',
    ['time', 'segment_id', 'speed_kmh'],
    readings.map(([t, s, v]) => [new Date(t).toISOString(), s, v]),
  );
  await db.copyRows(
    'camera_status',
    ['time', 'camera_id', 'online'],
    statuses.map(([t, c, o]) => [new Date(t).toISOString(), c, o]),
  );
  await refreshAggregates(db, { from: D0 - 4 * 24 * H, to: D1 + 24 * H });
}

for (const backend of testBackends()) {
  describe(`dashboard API (${backend.name})`, () => {
    let opened: OpenedTestDb;
    let base: string;
    let close: () => Promise<void>;
    let now = D1 + 48 * H;

    beforeAll(async () => {
      opened = await backend.open();
      await seed(opened.db);
      const app = express();
      app.use(dashboardRouter({ queries: dashboardQueries(opened.db), city: () => city, now: () => now }));
      app.use(errorHandler({ error: () => {} }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise((r) => server.close(() => r()));
    }, 60_000);
    afterAll(async () => {
      await close?.();
      await opened?.dispose();
    });

    const get = async <T>(path: string): Promise<DashboardResponse<T>> => {
      const res = await fetch(base + path);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as DashboardResponse<T>;
    };
    const day = '&from=2025-03-10&to=2025-03-11';
    const kpis = async (q: string) =>
      Object.fromEntries((await get<Kpi>(`/api/dashboard/summary?${q}`)).items.map((k) => [k.key, k]));

    it('assigns every incident its district by point in polygon', async () => {
      const r = await opened.db.query<{ district_id: string | null; lon: number }>(
        'SELECT district_id, lon FROM incidents',
      );
      expect(r.rows).toHaveLength(incidents.length);
      for (const row of r.rows) expect(row.district_id).toBe(row.lon < 108.1 ? 'd1' : 'd2');
      await opened.db.query(
        `INSERT INTO incidents (source, category, lat, lon) VALUES ('field', 'other', 13.05, 108.15), ('field', 'other', 14, 109)`,
      );
      const fresh = await opened.db.query<{ district_id: string | null }>(
        "SELECT district_id FROM incidents WHERE created_at > now() - interval '1 minute' ORDER BY lat",
      );
      expect(fresh.rows.map((x) => x.district_id)).toEqual(['d2', null]);
      await opened.db.query("DELETE FROM incidents WHERE created_at > now() - interval '1 minute'");
    });

    it('KPIs of a day equal those computed by hand, with the previous day beside them', async () => {
      const k = await kpis(day.slice(1));
      const tr = expectedTraffic(D0, D1);
      expect(k.avgSpeed.value).toBeCloseTo(tr.avgSpeed as number, 6);
      expect(k.avgSpeed.value).toBeCloseTo(19344 / 588, 6);
      expect(k.peakSpeed.value).toBeCloseTo(tr.peakSpeed as number, 6);
      expect(k.peakSpeed.value).toBeCloseTo(2544 / 108, 6);
      expect(k.congestedHours.value).toBe(3);
      expect(k.congestionShare.value).toBeCloseTo(3 / 49, 9);
      expect(k.avgSpeed.previous).toBeCloseTo(50, 6);
      expect(k.congestedHours.previous).toBe(0);

      const inc = expectedIncidents(D0, D1);
      expect(inc.received).toBe(6);
      expect(k.received.value).toBe(inc.received);
      expect(k.resolved.value).toBe(inc.resolved);
      expect(k.resolved.value).toBe(5);
      expect(k.open.value).toBe(inc.open);
      expect(k.onTimeRate.value).toBeCloseTo(inc.onTimeRate as number, 9);
      expect(k.onTimeRate.value).toBeCloseTo(3 / 5, 9);
      expect(k.ackMedian.value).toBeCloseTo(inc.ackMedian as number, 6);
      expect(k.ackP90.value).toBeCloseTo(inc.ackP90 as number, 6);
      expect(k.resolveMedian.value).toBeCloseTo(inc.resolveMedian as number, 6);
      expect(k.resolveP90.value).toBeCloseTo(inc.resolveP90 as number, 6);
      const prev = expectedIncidents(D0 - 24 * H, D0);
      expect(k.received.previous).toBe(prev.received);
      expect(k.open.previous).toBe(prev.open);
      expect(k.received.delta).toBe(inc.received - prev.received);

      expect(k.cameraAvailability.value).toBeCloseTo(expectedAvailability(D0, D1) as number, 9);
      expect(k.cameraAvailability.value).toBeCloseTo(26 / 36, 9);
      expect(k.cameraAvailability.previous).toBeCloseTo(1, 9);
      expect(k['reports.field'].value).toBe(3);
      expect(k['reports.open311'].value).toBe(1);
      expect(k['reports.camera'].value).toBe(1);
      expect(k['reports.mqtt'].value).toBe(1);
    });

    it('the district filter narrows every figure to that district', async () => {
      for (const d of ['d1', 'd2']) {
        const k = await kpis(`${day.slice(1)}&district=${d}`);
        const tr = expectedTraffic(D0, D1, d);
        const inc = expectedIncidents(D0, D1, d);
        expect(k.avgSpeed.value).toBeCloseTo(tr.avgSpeed as number, 6);
        expect(k.peakSpeed.value).toBeCloseTo(tr.peakSpeed as number, 6);
        expect(k.congestedHours.value).toBe(tr.congestedHours);
        expect(k.received.value).toBe(inc.received);
        expect(k.resolved.value).toBe(inc.resolved);
        expect(k.open.value).toBe(inc.open);
        expect(k.onTimeRate.value).toBe(inc.onTimeRate);
        expect(k.cameraAvailability.value).toBeCloseTo(expectedAvailability(D0, D1, d) as number, 9);
      }
      const d2 = await get<IncidentGroup>(`/api/dashboard/incidents-by?by=district${day}`);
      expect(d2.items.map((g) => [g.key, g.received])).toEqual([
        ['d1', 4],
        ['d2', 2],
      ]);
    });

    it('a longer period takes in the previous day; the incidents of today are cut at now', async () => {
      const k = await kpis('from=2025-03-09&to=2025-03-11');
      expect(k.received.value).toBe(expectedIncidents(D0 - 24 * H, D1).received);
      expect(k.avgSpeed.value).toBeCloseTo(expectedTraffic(D0 - 24 * H, D1).avgSpeed as number, 6);
      now = D0 + 10 * H + 30 * MIN; // "today" at 10:30
      try {
        const t = await get<Kpi>('/api/dashboard/summary?from=2025-03-10&to=2025-03-11');
        expect(t.period.until).toBe(now);
        expect(t.period.previousUntil).toBe(D0 - 24 * H + 10.5 * H);
        const byKey = Object.fromEntries(t.items.map((x) => [x.key, x]));
        expect(byKey.received.value).toBe(expectedIncidents(D0, now).received);
        expect(byKey.received.value).toBe(3);
        expect(byKey.received.previous).toBe(expectedIncidents(D0 - 24 * H, D0 - 24 * H + 10.5 * H).received);
      } finally {
        now = D1 + 48 * H;
      }
    });

    it('series, worst segments, incidents by category, cameras and districts agree with the seed', async () => {
      const s = await get<SeriesDay>('/api/dashboard/series?from=2025-03-09&to=2025-03-11');
      expect(s.items.map((d) => d.day)).toEqual(['2025-03-09', '2025-03-10']);
      expect(s.items[0].avgSpeedKmh).toBeCloseTo(50, 6);
      expect(s.items[1].avgSpeedKmh).toBeCloseTo(19344 / 588, 6);
      expect(s.items.map((d) => d.received)).toEqual([2, 6]);
      expect(s.items.map((d) => d.resolved)).toEqual([1, 5]);
      expect(s.items[1].congestedHours).toBe(3);

      const w = await get<{ segmentId: string; congestedHours: number }>(
        `/api/dashboard/worst-segments?limit=2${day}`,
      );
      expect(w.items.map((x) => [x.segmentId, x.congestedHours])).toEqual([
        ['a', 2],
        ['c', 1],
      ]);
      const byCat = await get<IncidentGroup>(`/api/dashboard/incidents-by?by=category${day}`);
      const fire = byCat.items.find((g) => g.key === 'fire') as IncidentGroup;
      expect(fire).toMatchObject({ received: 2, resolved: 2, resolvedOnTime: 1, onTimeRate: 0.5 });
      expect(byCat.items.find((g) => g.key === 'lighting')).toMatchObject({
        received: 0,
        resolved: 1,
        resolvedOnTime: 0,
      });
      expect(byCat.items).toHaveLength(10);
      const cams = await get<{ cameraId: string; availability: number }>(
        `/api/dashboard/cameras?${day.slice(1)}`,
      );
      expect(cams.items.map((c) => c.cameraId)).toEqual(['cam2', 'cam1']);
      expect(cams.items[0].availability).toBeCloseTo(0.5, 9);
      expect(cams.items[1].availability).toBeCloseTo(20 / 24, 9);
      const dist = await get<{ districtId: string; received: number; congestedHours: number }>(
        `/api/dashboard/districts?${day.slice(1)}`,
      );
      expect(dist.items.map((d) => [d.districtId, d.received, d.congestedHours])).toEqual([
        ['d1', 4, 2],
        ['d2', 2, 1],
      ]);
      const cal = await get<{ day: string; received: number }>(`/api/dashboard/calendar?${day.slice(1)}`);
      expect(cal.items).toHaveLength(365);
      expect(cal.items.at(-1)).toMatchObject({ day: '2025-03-10', received: 6 });
    });

    it('CSV has a BOM and the same rows and values as the JSON, numbers rounded as shown', async () => {
      for (const path of [
        '/api/dashboard/summary',
        '/api/dashboard/series',
        '/api/dashboard/worst-segments',
        '/api/dashboard/incidents-by?by=district',
        '/api/dashboard/cameras',
        '/api/dashboard/districts',
      ]) {
        const q = `${path}${path.includes('?') ? '&' : '?'}from=2025-03-09&to=2025-03-11`;
        const json = await get<Record<string, unknown>>(q);
        const res = await fetch(`${base}${q}&format=csv`);
        expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
        const header = lines[0].split(',');
        expect(lines.length - 1).toBe(json.items.length);
        json.items.forEach((item, i) => {
          const cells = lines[i + 1].split(',');
          header.forEach((col, j) => {
            const v = item[col];
            // numbers rounded as the screens show them (a ratio to three decimals, other figures to one)
            const want =
              v === null || v === undefined
                ? ''
                : typeof v === 'number'
                  ? String(roundAsShown(v))
                  : String(v);
            expect(cells[j], `${path} ${col}`).toBe(want);
          });
        });
      }
    });

    it('bad parameters answer 400/404 with the JSON error shape', async () => {
      for (const [q, status, code] of [
        ['from=yesterday', 400, 'bad_query'],
        ['from=2025-03-11&to=2025-03-10', 400, 'bad_query'],
        ['from=2023-01-01&to=2025-03-10', 400, 'bad_query'],
        ['district=nowhere', 404, 'unknown_district'],
        ['format=xml', 400, 'bad_query'],
      ] as const) {
        const res = await fetch(`${base}/api/dashboard/summary?${q}`);
        expect(res.status, q).toBe(status);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(code);
        expect(typeof body.error.message).toBe('string');
      }
      const res = await fetch(`${base}/api/dashboard/incidents-by?by=colour`);
      expect(res.status).toBe(400);
    });
  });
}
