import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem } from '#contract/alarms.ts';
import type { CameraItem, IncidentItem, TrafficItem } from '#contract/live.ts';
import type { ReplayChanges, ReplayMarkers, ReplayState } from '#contract/replayApi.ts';
import type { RunningIoc } from '../main.ts';
import { refreshAggregates } from '../store/aggregates.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

const MIN = 60_000;
const DAY = 86_400_000;
// yesterday 07:00 in the city (UTC+7): 00:00 UTC
const H7 = Math.floor(Date.now() / DAY) * DAY - DAY;
const at = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return H7 + (h - 7) * 60 * MIN + m * MIN;
};
const ts = (t: number) => new Date(t).toISOString();

describe.each(iocSetups())('the replay of the console on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let leader: TestSession;
  let field: TestSession;
  let operator: TestSession;
  let seg: { id: string; speedLimitKmh: number };
  let cam: string;
  let incidentId: string;
  let alarmId: string;

  const get = async <T>(s: TestSession, path: string): Promise<T> => {
    const res = await s.fetch(path);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  const stateAt = (hhmm: string) => get<ReplayState>(operator, `/api/replay?at=${ts(at(hhmm))}`);

  beforeAll(async () => {
    ({ ioc, dispose, errors } = await setup.start());
    leader = await loginAs(ioc, 'leader');
    field = await loginAs(ioc, 'field');
    operator = await loginAs(ioc, 'operator');
    const db = ioc.db;
    seg = ioc.city.segments[0];
    cam = ioc.city.cameras[0].id;
    const L = seg.speedLimitKmh;
    // the segment jammed 07:35–07:40 (two readings), free again from 07:41
    for (const [t, v] of [
      ['07:36', 0.2 * L],
      ['07:38', 0.1 * L],
      ['07:41', 0.9 * L],
    ] as const)
      await db.query(
        'INSERT INTO traffic_readings (time, segment_id, speed_kmh, volume) VALUES ($1, $2, $3, 10)',
        [new Date(at(t)), seg.id, v],
      );
    // the camera reported online at 07:20, offline at 07:38, online again at 07:52
    for (const [t, online] of [
      ['07:20', true],
      ['07:38', false],
      ['07:52', true],
    ] as const)
      await db.query('INSERT INTO camera_status (time, camera_id, online) VALUES ($1, $2, $3)', [
        new Date(at(t)),
        cam,
        online,
      ]);
    // an incident reported at 07:30 and acknowledged at 07:45 (as stored now: acknowledged)
    const inc = await db.query<{ id: string }>(
      `INSERT INTO incidents (source, category, severity, status, lat, lon, created_at, updated_at, acknowledged_at)
       VALUES ('field', 'flooding', 4, 'acknowledged', $1, $2, $3, $4, $4) RETURNING id::text AS id`,
      [ioc.city.cameras[0].lat, ioc.city.cameras[0].lon, new Date(at('07:30')), new Date(at('07:45'))],
    );
    incidentId = inc.rows[0].id;
    await db.query(
      `INSERT INTO incident_events (incident_id, time, action, actor, from_status, to_status) VALUES
       ($1, $2, 'reported', 'field', NULL, 'new'), ($1, $3, 'acknowledge', 'truc-ban-1', 'new', 'acknowledged')`,
      [incidentId, new Date(at('07:30')), new Date(at('07:45'))],
    );
    // an alarm activated at 07:32, acknowledged at 07:50 (as stored now: acknowledged and active)
    const al = await db.query<{ id: string }>(
      `INSERT INTO alarms (key, rule, priority, state, asset_id, title_code, title_params, activated_at, acked_at,
         acked_by, activation_count, version, updated_at)
       VALUES ($1, 'road_jam', 3, 'ack_active', $2, 'road_jam', '{}', $3, $4, 'truc-ban-2', 1, 2, $4)
       RETURNING id::text AS id`,
      [`road_jam:${seg.id}:replay-test`, seg.id, new Date(at('07:32')), new Date(at('07:50'))],
    );
    alarmId = al.rows[0].id;
    await db.query(
      `INSERT INTO alarm_history (alarm_id, time, event, actor, from_state, to_state) VALUES
       ($1, $2, 'activate', 'system', 'normal', 'unack_active'), ($1, $3, 'acknowledge', 'truc-ban-2', 'unack_active', 'ack_active')`,
      [alarmId, new Date(at('07:32')), new Date(at('07:50'))],
    );
    // late rows reach the aggregates through a refresh, as the backfill's do
    await refreshAggregates(db, { from: at('07:00'), to: at('09:00') });
  });
  afterAll(async () => {
    await dispose?.();
  });

  const find = <T extends { id: string }>(items: T[], id: string) => items.find((x) => x.id === id);

  it('shows at 07:40 what the stored rows say then: a jammed segment, a camera offline, an incident still new, an alarm unacknowledged', async () => {
    const s = await stateAt('07:40');
    expect(s.at).toBe(at('07:40'));
    // the bucket 07:35–07:40: the mean of its two readings; the 07:41 reading is not seen yet
    const t = find(s.snapshot.traffic, seg.id) as TrafficItem;
    expect(t).toMatchObject({ ts: at('07:40'), level: 'jam' });
    expect(t.speedKmh).toBeCloseTo(0.15 * seg.speedLimitKmh, 0);
    expect(find(s.snapshot.cameras, cam)).toMatchObject({ online: false, ts: at('07:38') });
    expect(find(s.snapshot.incidents, incidentId)).toMatchObject({
      status: 'new',
      category: 'flooding',
      ts: at('07:30'),
      updatedAt: at('07:30'),
    });
    expect(find(s.snapshot.alarms, alarmId)).toMatchObject({
      state: 'unack_active',
      activatedAt: at('07:32'),
      ackedAt: null,
      ackedBy: null,
    });
    expect(s.stats.ingestRate).toBeGreaterThan(0);
    expect(s.range.from).toBeLessThanOrEqual(at('07:30'));
    expect(errors).toEqual([]);
  });

  it('shows what had not happened yet as absent, and what came later in its later state', async () => {
    const early = await stateAt('07:25');
    expect(find(early.snapshot.incidents, incidentId)).toBeUndefined();
    expect(find(early.snapshot.alarms, alarmId)).toBeUndefined();
    expect(find(early.snapshot.cameras, cam)).toMatchObject({ online: true });
    expect(find(early.snapshot.traffic, seg.id)).toBeUndefined();

    const later = await stateAt('07:55');
    expect(find(later.snapshot.incidents, incidentId)).toMatchObject({
      status: 'acknowledged',
      updatedAt: at('07:45'),
    });
    expect(find(later.snapshot.alarms, alarmId)).toMatchObject({
      state: 'ack_active',
      ackedBy: 'truc-ban-2',
    });
    expect(find(later.snapshot.cameras, cam)).toMatchObject({ online: true });
    // no reading in 07:50–07:55: no figure, as the live view shows an unknown level
    expect(find(later.snapshot.traffic, seg.id)).toBeUndefined();
    const at45 = await stateAt('07:45');
    expect(find(at45.snapshot.traffic, seg.id)).toMatchObject({ level: 'free', ts: at('07:45') });
  });

  it('gives the changes in between as live deltas, oldest first, that turn one picture into the next', async () => {
    const c = await get<ReplayChanges>(
      operator,
      `/api/replay/changes?from=${ts(at('07:40'))}&to=${ts(at('07:55'))}`,
    );
    const times = c.deltas.map((d) => d.ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const of = <T>(layer: string, id: string) =>
      c.deltas
        .filter((d) => d.layer === layer)
        .flatMap((d) => (d.items as { id: string }[]).filter((x) => x.id === id) as T[]);
    expect(of<TrafficItem>('traffic', seg.id)).toEqual([
      expect.objectContaining({ ts: at('07:45'), level: 'free' }),
    ]);
    expect(of<IncidentItem>('incidents', incidentId)).toEqual([
      expect.objectContaining({ status: 'acknowledged', updatedAt: at('07:45') }),
    ]);
    expect(of<AlarmItem>('alarms', alarmId)).toEqual([expect.objectContaining({ state: 'ack_active' })]);
    expect(of<CameraItem>('cameras', cam)).toEqual([
      expect.objectContaining({ online: true, ts: at('07:52') }),
    ]);
    expect(c.deltas.every((d) => d.seq === 0 && d.ts > at('07:40') && d.ts <= at('07:55'))).toBe(true);

    // the picture at 07:40 with the changes applied is the picture at 07:55
    const s40 = await stateAt('07:40');
    const s55 = await stateAt('07:55');
    const incidents = new Map(s40.snapshot.incidents.map((i) => [i.id, i]));
    const alarms = new Map(s40.snapshot.alarms.map((a) => [a.id, a]));
    for (const d of c.deltas) {
      if (d.layer === 'incidents') for (const i of d.items as IncidentItem[]) incidents.set(i.id, i);
      if (d.layer === 'alarms')
        for (const a of d.items as AlarmItem[])
          a.state === 'normal' ? alarms.delete(a.id) : alarms.set(a.id, a);
    }
    expect(incidents.get(incidentId)).toEqual(find(s55.snapshot.incidents, incidentId));
    expect(alarms.get(alarmId)).toEqual(find(s55.snapshot.alarms, alarmId));
  });

  it('marks where the incident and the alarm began', async () => {
    const m = await get<ReplayMarkers>(
      leader,
      `/api/replay/markers?from=${ts(at('07:00'))}&to=${ts(at('08:00'))}`,
    );
    expect(m.markers).toEqual(
      expect.arrayContaining([
        { ts: at('07:30'), kind: 'incident', id: incidentId, level: 4 },
        { ts: at('07:32'), kind: 'alarm', id: alarmId, level: 3 },
      ]),
    );
  });

  it('lets operators and leaders rewind, never field accounts, and refuses a bad moment', async () => {
    expect((await leader.fetch(`/api/replay?at=${ts(at('07:40'))}`)).status).toBe(200);
    for (const path of [
      `/api/replay?at=${ts(at('07:40'))}`,
      `/api/replay/changes?from=${ts(at('07:40'))}&to=${ts(at('07:50'))}`,
      `/api/replay/markers?from=${ts(at('07:40'))}&to=${ts(at('07:50'))}`,
    ]) {
      const res = await field.fetch(path);
      expect(res.status, path).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
      expect((await fetch(`${ioc.httpUrl}${path}`)).status).toBe(401);
    }
    const bad = await operator.fetch('/api/replay?at=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_query' } });
    const wide = await operator.fetch(
      `/api/replay/changes?from=${ts(at('07:00'))}&to=${ts(at('07:00') + DAY)}`,
    );
    expect(wide.status).toBe(400);
  });
});
