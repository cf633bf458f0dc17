// The dashboard's alarm system health (EEMUA 191) on each database: alarms raised, acknowledged and
// cleared through the alarm store at known times, then the figures read through the dashboard API.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmRuleCode } from '#contract/alarms.ts';
import type { CityModel } from '#contract/assets.ts';
import { roundAsShown } from '#contract/csv.ts';
import type {
  AlarmHealthKpi,
  AlarmRateBucket,
  AlarmSource,
  DashboardResponse,
} from '#contract/dashboardApi.ts';
import { type AlarmRaise, AlarmsRepo } from '../store/alarmsRepo.ts';
import { saveCity } from '../store/assetsRepo.ts';
import { dashboardQueries } from '../store/dashboardRepo.ts';
import { type OpenedTestDb, testBackends } from '../store/testDatabases.ts';
import { dashboardRouter } from './dashboardRouter.ts';
import { errorHandler } from './errors.ts';

const MIN = 60_000;
const H = 60 * MIN;
const D0 = Date.parse('2025-03-10T00:00:00+07:00'); // the period: one local day
const D1 = D0 + 24 * H;
const at = (hh: number, mm = 0) => D0 + hh * H + mm * MIN;
/** two operator positions share the alarms: every rate is half the count */
const POSITIONS = 2;

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

const alarm = (
  rule: AlarmRuleCode,
  assetId: string | null,
  wardId: string | null,
  params: AlarmRaise['params'] = {},
  sub?: string,
): AlarmRaise => ({
  key: [rule, assetId, sub].filter(Boolean).join(':'),
  rule,
  priority: 3,
  latched: false,
  assetId,
  wardId,
  titleCode: rule,
  params,
  lat: null,
  lon: null,
});

// Jam on segment a: raised 4 times, three of them within 10 minutes (chattering)
const JAM_A = alarm('road_jam', 'a', 'd1', { segment: 'Đường A' });
// Camera 1 offline 3 times, hours apart: frequent, not chattering
const CAM1 = alarm('camera_offline', 'cam1', 'd1', { camera: 'Camera 1' });
// Road b jammed two days before, never cleared: standing through the period (and the one before)
const JAM_B = alarm('road_jam', 'b', 'd1');
// Camera 2 offline from 12:00 the day before to 13:00: standing (over 24 h) from 12:00 to 13:00
const CAM2 = alarm('camera_offline', 'cam2', 'd2');
// Segment c silent for 28 h, ended 2 h before the period: it stood in the previous period only
const SILENT_C = alarm('asset_silent', 'c', 'd2');
// Camera 1 silent for 30 h, ended 10 h before the period: the previous period only
const SILENT_CAM1 = alarm('asset_silent', 'cam1', 'd1');
// the system: 01:00, still active at the end (23 h: not standing)
const DB_DOWN = alarm('system_health', null, null, { part: 'db' }, 'db');
// bursts of new incidents (ward d2): 25 in 08:00–08:05, 21 in 20:00–20:05, 15 in 21:00–21:05
const incident = (id: number) =>
  alarm('incident_new', String(id), 'd2', { number: `PA-${String(id).padStart(6, '0')}`, severity: 3 });
const BURSTS: Array<[start: number, count: number, firstId: number]> = [
  [at(8), 25, 1001],
  [at(20), 21, 2001],
  [at(21), 15, 3001],
];
// a flood parent over the first burst: never counted itself
const FLOOD_PARENT: AlarmRaise = {
  ...alarm('incident_new', null, 'd2', { rule: 'incident_new', wardId: 'd2', count: 25 }),
  key: 'flood:incident_new:d2',
  titleCode: 'flood_group',
};

async function seed(repo: AlarmsRepo): Promise<void> {
  const sys = (t: number) => ({ actor: 'system', at: t });
  const op = (t: number) => ({ actor: 'op1', at: t });
  const ok = <T extends { ok: boolean }>(r: T): T => {
    if (!r.ok) throw new Error(`alarm store refused: ${JSON.stringify(r)}`);
    return r;
  };
  const raise = async (a: AlarmRaise, t: number) => {
    const r = ok(await repo.raise(a, sys(t)));
    return r.ok ? r.item.id : '';
  };
  const clear = async (a: AlarmRaise, t: number) => ok(await repo.clear(a.key, sys(t)));
  const ack = async (id: string, t: number) => ok(await repo.apply(id, { type: 'acknowledge' }, op(t)));

  // the previous day and before
  await raise(JAM_B, D0 - 40 * H);
  await raise(SILENT_CAM1, D0 - 40 * H);
  await clear(SILENT_CAM1, D0 - 10 * H);
  const silentC = await raise(SILENT_C, D0 - 30 * H);
  await ack(silentC, D0 - 20 * H); // 600 min: in the previous period
  await clear(SILENT_C, D0 - 2 * H);
  const cam2 = await raise(CAM2, D0 - 12 * H);

  // the day
  await ack(cam2, at(0, 30)); // 750 min after its activation the day before
  const db = await raise(DB_DOWN, at(1));
  await ack(db, at(1, 10)); // 10 min
  for (const [start, count, firstId] of BURSTS)
    for (let i = 0; i < count; i++) await raise(incident(firstId + i), start + i * 10_000);
  await raise(FLOOD_PARENT, at(8, 1));
  const jamA = await raise(JAM_A, at(9));
  await ack(jamA, at(9, 1)); // 1 min
  await clear(JAM_A, at(9, 2));
  await raise(JAM_A, at(9, 3));
  await clear(JAM_A, at(9, 4));
  await raise(JAM_A, at(9, 6));
  await clear(JAM_A, at(9, 7));
  const cam1 = await raise(CAM1, at(10));
  await ack(cam1, at(10, 5)); // 5 min
  await clear(CAM1, at(10, 30));
  await raise(CAM1, at(12));
  await ack(cam1, at(12, 20)); // 20 min
  await clear(CAM1, at(12, 40));
  await clear(CAM2, at(13));
  await raise(JAM_A, at(14));
  await clear(JAM_A, at(14, 30));
  await raise(CAM1, at(16));
}

for (const backend of testBackends()) {
  describe(`dashboard: alarm system health (${backend.name})`, () => {
    let opened: OpenedTestDb;
    let base: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      opened = await backend.open();
      await saveCity(opened.db, city);
      await seed(new AlarmsRepo(opened.db));
      const app = express();
      app.use(
        dashboardRouter({
          queries: dashboardQueries(opened.db, { operatorPositions: POSITIONS }),
          city: () => city,
          now: () => D1 + 48 * H,
        }),
      );
      app.use(errorHandler({ error: () => {} }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise((r) => server.close(() => r()));
    }, 120_000);
    afterAll(async () => {
      await close?.();
      await opened?.dispose();
    });

    const get = async <T>(path: string): Promise<DashboardResponse<T>> => {
      const res = await fetch(base + path);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as DashboardResponse<T>;
    };
    const day = 'from=2025-03-10&to=2025-03-11';
    const health = async (q: string) =>
      Object.fromEntries(
        (await get<AlarmHealthKpi>(`/api/dashboard/alarm-health?${q}`)).items.map((k) => [k.key, k]),
      );

    it('the figures of a day: rate per position, flood, acknowledgement, standing and chattering', async () => {
      const k = await health(day);
      // 4 + 3 jams and camera alarms, the system's one, 61 incidents; the flood parent is not counted
      const raised = 4 + 3 + 1 + 25 + 21 + 15;
      expect(k.alarmsRaised.value).toBe(raised);
      // 144 ten-minute periods, two positions
      expect(k.alarmRate).toMatchObject({ unit: 'rate', target: 1, withinTarget: true });
      expect(k.alarmRate.value).toBeCloseTo(raised / 144 / POSITIONS, 9);
      // the busiest 10 minutes: 25 alarms for two positions
      expect(k.alarmPeakRate).toMatchObject({ value: 12.5, target: 10, withinTarget: false });
      // 25 and 21 alarms are floods for two positions (over 10 each); 15 is not
      expect(k.alarmFloodShare.value).toBeCloseTo(2 / 144, 9);
      expect(k.alarmFloodShare.withinTarget).toBe(false);
      // 750 (an activation the day before), 10, 1, 5 and 20 minutes
      expect(k.alarmAckMedian.value).toBeCloseTo(10, 6);
      expect(k.alarmAckMedian.withinTarget).toBeNull();
      // road b (since two days) and camera 2 (from 12:00 to 13:00)
      expect(k.alarmStanding).toMatchObject({ value: 2, target: 5, withinTarget: true });
      expect(k.alarmChattering).toMatchObject({ value: 1, target: 0, withinTarget: false });
      expect(k.operatorPositions).toMatchObject({ value: POSITIONS, target: null });

      // the previous day: camera 2 went offline; road b and both silences stood
      expect(k.alarmsRaised.previous).toBe(1);
      expect(k.alarmsRaised.delta).toBe(raised - 1);
      expect(k.alarmStanding.previous).toBe(3);
      expect(k.alarmAckMedian.previous).toBeCloseTo(600, 6);
      expect(k.alarmChattering.previous).toBe(0);
      expect(k.alarmFloodShare.previous).toBe(0);
    });

    it('alarms per 10 minutes over the period, each period flagged in flood or not', async () => {
      const r = await get<AlarmRateBucket>(`/api/dashboard/alarm-rate?${day}`);
      expect(r.items).toHaveLength(144);
      expect(r.items[0].t).toBe(D0);
      expect(r.items[1].t - r.items[0].t).toBe(10 * MIN);
      const byTime = new Map(r.items.map((b) => [b.t, b]));
      expect(byTime.get(at(8))).toEqual({ t: at(8), raised: 25, perPosition: 12.5, flood: true });
      expect(byTime.get(at(20))).toMatchObject({ raised: 21, perPosition: 10.5, flood: true });
      expect(byTime.get(at(21))).toMatchObject({ raised: 15, perPosition: 7.5, flood: false });
      expect(byTime.get(at(9))).toMatchObject({ raised: 3, flood: false });
      expect(byTime.get(at(11))).toMatchObject({ raised: 0, perPosition: 0 });
      expect(r.items.filter((b) => b.flood).map((b) => b.t)).toEqual([at(8), at(20)]);
    });

    it('the most frequent sources, most raised first, with their place and chattering', async () => {
      const r = await get<AlarmSource>(`/api/dashboard/alarm-sources?${day}`);
      expect(r.items).toHaveLength(10);
      expect(r.items.slice(0, 4)).toEqual([
        {
          rank: 1,
          key: 'road_jam:a',
          rule: 'road_jam',
          assetId: 'a',
          name: 'Đường A',
          detail: null,
          wardId: 'd1',
          raised: 4,
          chattering: true,
          lastRaisedAt: at(14),
        },
        expect.objectContaining({
          rank: 2,
          key: 'camera_offline:cam1',
          name: 'Camera 1',
          raised: 3,
          chattering: false,
        }),
        expect.objectContaining({ rank: 3, key: 'incident_new:1001', name: 'PA-001001', raised: 1 }),
        expect.objectContaining({ rank: 4, key: 'incident_new:1002', raised: 1 }),
      ]);
      const d1 = await get<AlarmSource>(`/api/dashboard/alarm-sources?${day}&district=d1&limit=5`);
      expect(d1.items.map((s) => [s.key, s.raised])).toEqual([
        ['road_jam:a', 4],
        ['camera_offline:cam1', 3],
      ]);
      const sys = await get<AlarmSource>(
        '/api/dashboard/alarm-sources?from=2025-03-10&to=2025-03-11&limit=200',
      );
      expect(sys.items.find((s) => s.rule === 'system_health')).toMatchObject({
        key: 'system_health:db',
        assetId: null,
        name: null,
        detail: 'db',
      });
      expect(sys.items.some((s) => s.key.startsWith('flood:'))).toBe(false);
    });

    it('a ward narrows every figure to its alarms', async () => {
      const k = await health(`${day}&district=d1`);
      expect(k.alarmsRaised.value).toBe(7);
      expect(k.alarmPeakRate.value).toBe(1.5);
      expect(k.alarmFloodShare.value).toBe(0);
      expect(k.alarmStanding.value).toBe(1); // road b
      expect(k.alarmChattering.value).toBe(1);
      expect(k.alarmAckMedian.value).toBeCloseTo(5, 6); // 1, 5, 20
    });

    it('a period with no alarms has zero rates and no median', async () => {
      const k = await health('from=2025-01-10&to=2025-01-11');
      expect(k.alarmsRaised.value).toBe(0);
      expect(k.alarmRate).toMatchObject({ value: 0, withinTarget: true });
      expect(k.alarmAckMedian.value).toBeNull();
      expect(
        (await get<AlarmSource>('/api/dashboard/alarm-sources?from=2025-01-10&to=2025-01-11')).items,
      ).toEqual([]);
    });

    it('CSV has a BOM and the same rows and values as the JSON, numbers rounded as shown', async () => {
      for (const path of ['alarm-health', 'alarm-rate', 'alarm-sources']) {
        const q = `/api/dashboard/${path}?${day}`;
        const json = await get<Record<string, unknown>>(q);
        const res = await fetch(`${base}${q}&format=csv`);
        expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
        expect(res.headers.get('content-disposition')).toBe(
          `attachment; filename="ioc-${path}-2025-03-10_2025-03-10.csv"`,
        );
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
        const header = lines[0].split(',');
        expect(header.length).toBeGreaterThan(3);
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
  });
}
