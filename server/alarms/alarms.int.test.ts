import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmHistoryEntry, AlarmItem } from '#contract/alarms.ts';
import { cityToGeoJson } from '#contract/cityModel.ts';
import type { ClientToServerEvents, Delta, ServerToClientEvents } from '#contract/live.ts';
import { simulators } from '../../simulators/plugin.ts';
import { eventually, type IocSetup, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const WARD_SEGMENTS = 200;

/**
 * The simulated city with 200 of its segments in one ward (no ward of it has that many), written as
 * the CITY_FILE the IOC loads.
 */
async function cityWithABigWard(dir: string) {
  const city = await simulators.city(42);
  const ward = city.districts[0].id;
  const segments = city.segments.map((s, i) => (i < WARD_SEGMENTS ? { ...s, districtId: ward } : s));
  const file = path.join(dir, 'city.geojson');
  await writeFile(file, JSON.stringify(cityToGeoJson({ ...city, segments })));
  const other = segments.find((s, i) => i >= WARD_SEGMENTS && s.districtId && s.districtId !== ward);
  if (!other) throw new Error('the simulated city has no segment outside the big ward');
  return { file, ward, jammed: segments.slice(0, WARD_SEGMENTS).map((s) => s.id), other: other.id };
}

/** A console subscribed to the `alarms` layer: what it holds, as the snapshot and the deltas say. */
async function alarmConsole(url: string, cookie: string) {
  const s: Client = connectSocket(url, { transports: ['websocket'], extraHeaders: { cookie } });
  const items = new Map<string, AlarmItem>();
  const apply = (list: AlarmItem[]) => {
    for (const a of list) {
      if (a.state === 'normal') items.delete(a.id);
      else items.set(a.id, a);
    }
  };
  s.on('delta', (d: Delta) => {
    if (d.layer === 'alarms') apply(d.items as AlarmItem[]);
  });
  const ack = await s.timeout(5000).emitWithAck('subscribe', { layers: ['alarms'] });
  if (!ack.ok) throw new Error(`subscribe: ${ack.error.code}`);
  apply((ack.snapshot.alarms ?? []) as AlarmItem[]);
  return { socket: s, items };
}

const json = async <T>(res: Response, status = 200): Promise<T> => {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.url}: ${res.status}, expected ${status}: ${body}`);
  return (body ? JSON.parse(body) : undefined) as T;
};
const send = (s: TestSession, method: string, url: string, body?: unknown) =>
  s.fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** What must survive a restart: every alarm's state and flags, its place in its flood group. */
const kept = (a: AlarmItem) => ({
  id: a.id,
  key: a.key,
  state: a.state,
  shelved: a.shelved,
  suppressed: a.suppressed,
  parentId: a.parentId,
  childCount: a.childCount,
  ackedBy: a.ackedBy,
  activationCount: a.activationCount,
});

describe.each(iocSetups())('alarms on $name', (setup: IocSetup) => {
  let dir: string;
  let city: Awaited<ReturnType<typeof cityWithABigWard>>;
  let started: StartedIoc;
  let extra: Record<string, string>;
  let op: TestSession;
  let admin: TestSession;
  let leader: TestSession;
  let pub: MqttClient;
  const sockets: Client[] = [];
  let parent: AlarmItem;

  const url = () => started.ioc.httpUrl;
  const list = async (s: TestSession, q = '') =>
    (await json<{ items: AlarmItem[] }>(await s.fetch(`${url()}/api/alarms${q}`))).items;
  const jam = async (segs: string[]) => {
    const ts = Date.now();
    for (const seg of segs)
      await pub.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts, speedKmh: 1, id: randomUUID() }), {
        qos: 1,
      });
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-alarms-'));
    city = await cityWithABigWard(dir);
    extra = { CITY_FILE: city.file, DATA_DIR: dir };
    started = await setup.start(extra);
    op = await loginAs(started.ioc, 'operator');
    admin = await loginAs(started.ioc, 'admin');
    leader = await loginAs(started.ioc, 'leader');
    const login = started.mqtt;
    pub = await mqtt.connectAsync(login.url, {
      clientId: `test-pub-${randomUUID().slice(0, 8)}`,
      username: login.username,
      password: login.password,
    });
    // a jam alarms at once here (the shipped delay is 5 minutes): set through the admin's API
    const rules = (
      await json<{ items: Array<{ rule: string }> }>(await admin.fetch(`${url()}/api/admin/alarm-rules`))
    ).items;
    const roadJam = rules.find((r) => r.rule === 'road_jam');
    const put = await send(admin, 'PUT', `${url()}/api/admin/alarm-rules/road_jam`, {
      ...roadJam,
      delayMs: 0,
    });
    expect((await json<{ item: { delayMs: number } }>(put)).item.delayMs).toBe(0);
  });
  afterEach(() => {
    expect(started.errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await pub?.endAsync();
    await started?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a rule setting out of its bounds (400 invalid_field), audits a good one', async () => {
    const bad = await send(admin, 'PUT', `${url()}/api/admin/alarm-rules/road_jam`, {
      enabled: true,
      priority: 3,
      latched: false,
      threshold: 2,
      margin: 0.1,
      delayMs: 0,
      clearDelayMs: 0,
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_field');
    await started.ioc.audit.flush();
    const audited = await started.ioc.audit.list({ action: 'alarm_rule.update' });
    expect(audited[0]).toMatchObject({ actor: admin.username, target: 'road_jam', outcome: 'ok' });
    expect((await send(op, 'PUT', `${url()}/api/admin/alarm-rules/road_jam`, {})).status).toBe(403);
  });

  it('gives the operator one parent alarm for 200 segments of one ward jamming at once, with 200 children', async () => {
    const c = await alarmConsole(url(), op.cookie);
    sockets.push(c.socket);
    await jam(city.jammed);
    // the console is told: one flood parent with every jammed segment under it
    parent = await eventually(
      () =>
        [...c.items.values()].find(
          (a) => a.key === `flood:road_jam:${city.ward}` && a.childCount === WARD_SEGMENTS,
        ),
      60_000,
      'the flood parent with 200 children on the console',
    );
    expect(parent).toMatchObject({
      rule: 'road_jam',
      state: 'unack_active',
      wardId: city.ward,
      parentId: null,
      title: { code: 'flood_group', params: { rule: 'road_jam', wardId: city.ward, count: WARD_SEGMENTS } },
    });
    await eventually(
      () => [...c.items.values()].filter((a) => a.parentId === parent.id).length === WARD_SEGMENTS,
      20_000,
      'every child on the console',
    );
    // what reaches the operator: the top-level alarms (children are listed under their parent)
    const open = await list(op);
    const top = open.filter((a) => a.parentId === null);
    expect(top.length).toBeLessThanOrEqual(5);
    expect(top.map((a) => a.key)).toContain(parent.key);
    const children = open.filter((a) => a.parentId === parent.id);
    expect(children).toHaveLength(WARD_SEGMENTS);
    expect(new Set(children.map((a) => a.assetId))).toEqual(new Set(city.jammed));
    expect(children.every((a) => a.title.code === 'road_jam' && a.state === 'unack_active')).toBe(true);
    // leaders read the list, filters apply
    expect((await list(leader, `?ward=${city.ward}&rule=road_jam&priority=3`)).length).toBe(
      WARD_SEGMENTS + 1,
    );
    expect(await list(leader, '?priority=1')).toEqual([]);
    expect((await leader.fetch(`${url()}/api/alarms?state=bogus`)).status).toBe(400);
  });

  it('acknowledges through the API: the state changes, a history row and an audit entry; a second acknowledgement is refused with the state', async () => {
    const c = await alarmConsole(url(), op.cookie);
    sockets.push(c.socket);
    // leaders read, they do not act
    const byLeader = await send(leader, 'POST', `${url()}/api/alarms/${parent.id}/actions`, {
      action: 'acknowledge',
    });
    expect(byLeader.status).toBe(403);
    const bad = await send(op, 'POST', `${url()}/api/alarms/${parent.id}/actions`, { action: 'shelve' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_field');

    const res = await send(op, 'POST', `${url()}/api/alarms/${parent.id}/actions`, {
      action: 'acknowledge',
      comment: 'đã thấy, đang điều phối',
    });
    const { item } = await json<{ item: AlarmItem }>(res);
    expect(item).toMatchObject({ id: parent.id, state: 'ack_active', ackedBy: op.username });
    await eventually(() => c.items.get(parent.id)?.state === 'ack_active', 5_000, 'the console sees it');

    const history = (
      await json<{ items: AlarmHistoryEntry[] }>(
        await leader.fetch(`${url()}/api/alarms/${parent.id}/history`),
      )
    ).items;
    expect(history[0]).toMatchObject({
      alarmId: parent.id,
      event: 'acknowledge',
      actor: op.username,
      from: 'unack_active',
      to: 'ack_active',
      note: 'đã thấy, đang điều phối',
    });
    expect(history.at(-1)).toMatchObject({ event: 'activate', actor: 'system', to: 'unack_active' });
    await started.ioc.audit.flush();
    const audited = await started.ioc.audit.list({ action: 'alarm.acknowledge' });
    expect(audited.find((e) => e.target === parent.id)).toMatchObject({
      actor: op.username,
      role: 'operator',
      outcome: 'ok',
    });

    const again = await send(op, 'POST', `${url()}/api/alarms/${parent.id}/actions`, {
      action: 'acknowledge',
    });
    expect(again.status).toBe(409);
    const refusal = await again.json();
    expect(refusal).toMatchObject({
      error: { code: 'illegal_transition' },
      state: 'ack_active',
      shelved: false,
      suppressed: false,
    });
    // refused, not applied: no second history row
    const after = (
      await json<{ items: AlarmHistoryEntry[] }>(await op.fetch(`${url()}/api/alarms/${parent.id}/history`))
    ).items;
    expect(after.filter((h) => h.event === 'acknowledge')).toHaveLength(1);
    expect(
      (await send(op, 'POST', `${url()}/api/alarms/999999999/actions`, { action: 'acknowledge' })).status,
    ).toBe(404);

    // several at once: the acknowledged ones and the refused ones with their state
    const kids = (await list(op)).filter((a) => a.parentId === parent.id).slice(0, 3);
    const bulk = await json<{ acknowledged: AlarmItem[]; refused: Array<{ id: string; state: string }> }>(
      await send(op, 'POST', `${url()}/api/alarms/acknowledge`, {
        ids: [...kids.map((k) => k.id), parent.id],
      }),
    );
    expect(bulk.acknowledged.map((a) => a.id).sort()).toEqual(kids.map((k) => k.id).sort());
    expect(bulk.refused).toMatchObject([{ id: parent.id, code: 'illegal_transition', state: 'ack_active' }]);

    // the metrics count them by priority and state, and the transitions by event
    const metrics = await (await admin.fetch(`${url()}/metrics`)).text();
    expect(metrics).toMatch(/^ioc_alarms_active\{priority="medium",state="ack_active"\} 4$/m);
    expect(metrics).toMatch(/^ioc_alarm_transitions_total\{event="acknowledge"\} 4$/m);
    expect(metrics).toMatch(/^ioc_alarm_flood [01]$/m);
  });

  it('suppresses the alarms of an asset out of service, and lists them as such', async () => {
    const child = (await list(op)).find((a) => a.parentId === parent.id && a.state === 'unack_active');
    if (!child?.assetId) throw new Error('no unacknowledged child');
    const put = await send(admin, 'PUT', `${url()}/api/admin/out-of-service/${child.assetId}`, {
      reason: 'bảo trì',
      until: null,
    });
    expect((await json<{ item: { assetId: string } }>(put)).item.assetId).toBe(child.assetId);
    // an asset whose alarm is raised while it is out of service
    await json(
      await send(admin, 'PUT', `${url()}/api/admin/out-of-service/${city.other}`, {
        reason: 'thay cảm biến',
        until: null,
      }),
    );
    expect(
      (await send(admin, 'PUT', `${url()}/api/admin/out-of-service/nope`, { reason: 'x', until: null }))
        .status,
    ).toBe(404);
    const oos = (
      await json<{ items: Array<{ assetId: string; by: string }> }>(
        await admin.fetch(`${url()}/api/admin/out-of-service`),
      )
    ).items;
    expect(oos.map((o) => o.assetId).sort()).toEqual([child.assetId, city.other].sort());
    await jam([city.other]);
    const listed = await eventually(
      async () => {
        const open = await list(op, '?rule=road_jam');
        const a = open.find((x) => x.id === child.id);
        const b = open.find((x) => x.assetId === city.other);
        return a?.suppressed && b?.suppressed ? { a, b } : undefined;
      },
      20_000,
      'both alarms suppressed and listed',
    );
    expect(listed.a.suppressed).toMatchObject({ by: admin.username, reason: 'bảo trì' });
    expect(listed.b).toMatchObject({ state: 'unack_active', suppressed: { reason: 'thay cảm biến' } });
    const history = (
      await json<{ items: AlarmHistoryEntry[] }>(await op.fetch(`${url()}/api/alarms/${child.id}/history`))
    ).items;
    expect(history[0]).toMatchObject({ event: 'suppress', actor: admin.username });
    // a suppressed alarm cannot be shelved: refused with its flags
    const shelve = await send(op, 'POST', `${url()}/api/alarms/${child.id}/actions`, {
      action: 'shelve',
      reason: 'x',
      duration: 60_000,
    });
    expect(shelve.status).toBe(409);
    expect(await shelve.json()).toMatchObject({ suppressed: true });
  });

  it('keeps every alarm state across a restart on the same data', async () => {
    // one more kind of state: a shelved child
    const child = (await list(op)).find(
      (a) => a.parentId === parent.id && !a.suppressed && a.state === 'unack_active',
    );
    if (!child) throw new Error('no child to shelve');
    await json(
      await send(op, 'POST', `${url()}/api/alarms/${child.id}/actions`, {
        action: 'shelve',
        reason: 'đội đã tới hiện trường',
        duration: 3_600_000,
      }),
    );
    const before = (await list(op, '?state=all&limit=10000')).map(kept);
    expect(new Set(before.map((a) => a.state))).toEqual(new Set(['unack_active', 'ack_active']));
    expect(before.some((a) => a.shelved) && before.some((a) => a.suppressed)).toBe(true);

    // the same database (PostgreSQL: the same one; embedded: the same data dir)
    const same: Record<string, string> = { ...extra };
    if (started.ioc.db.kind === 'postgres') {
      const { rows } = await started.ioc.db.query<{ name: string }>('SELECT current_database() AS name');
      const u = new URL(process.env.TEST_DATABASE_URL as string);
      u.pathname = `/${rows[0].name}`;
      same.DATABASE_URL = u.toString();
    }
    for (const s of sockets.splice(0)) s.disconnect();
    await pub.endAsync();
    await started.ioc.stop();
    const first = started;
    started = await setup.start(same);
    try {
      op = await loginAs(started.ioc, 'operator');
      // the engine has made its first pass over the reloaded state when the IOC is up
      const after = (await list(op, '?state=all&limit=10000')).map(kept);
      expect(after).toEqual(before);
      // and the console's layer starts from them
      const c = await alarmConsole(url(), op.cookie);
      sockets.push(c.socket);
      expect(c.items.size).toBe(before.length);
    } finally {
      // the first instance's set-up owns the database and the directory: it goes last
      const second = started;
      started = {
        ...second,
        dispose: async () => {
          await second.dispose();
          await first.dispose();
        },
      };
    }
  });
});
