import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, ReportCreated } from '#contract/incidentsApi.ts';
import type { ServerToClientEvents, SubscribeAck } from '#contract/live.ts';
import { topics } from '#contract/mqtt.ts';
import { type FieldTask, rankUnits, type TasksAnswer, type UnitItem, unitStale } from '#contract/units.ts';
import type { RunningIoc } from '../main.ts';
import { eventually, iocSetups, type testDevice } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

describe.each(iocSetups())('units on the map and dispatch on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let op: TestSession;
  let field: TestSession;
  let pub: mqtt.MqttClient;
  let at: { lat: number; lon: number };

  const units = async () => ((await (await op.fetch('/api/units')).json()) as { items: UnitItem[] }).items;
  const unit = async (id: string) => (await units()).find((u) => u.id === id);
  const rejects = async () =>
    (
      (await (await op.fetch('/api/ingest/rejects?limit=50')).json()) as {
        items: Array<{ topic: string; reason: string }>;
      }
    ).items;

  beforeAll(async () => {
    let mqttLogin: Awaited<ReturnType<typeof testDevice>> | { url: string };
    ({ ioc, dispose, mqtt: mqttLogin } = await setup.start());
    op = await loginAs(ioc, 'operator');
    field = await loginAs(ioc, 'field');
    const cam = ioc.city.cameras[3];
    at = { lat: cam.lat, lon: cam.lon };
    // two patrol cars: the test device owns ca-t1 (the embedded broker checks that), not ca-t2
    const res = await op.fetch('/api/units');
    expect(res.status).toBe(200);
    await registerUnits(ioc, [
      { id: 'ca-t1', name: 'Tổ 1', kind: 'patrol' },
      { id: 'ca-t2', name: 'Tổ 2', kind: 'patrol' },
    ]);
    const device =
      'username' in mqttLogin && mqttLogin.username
        ? mqttLogin
        : { url: ioc.mqttUrl, username: undefined, password: undefined };
    if ('username' in device && device.username)
      await ioc.devices.update(device.username, { assets: ['ca-t1'] });
    pub = await mqtt.connectAsync(device.url, {
      clientId: `units-test-${Date.now()}`,
      ...('username' in device && device.username
        ? { username: device.username, password: device.password }
        : {}),
    });
  });
  afterAll(async () => {
    await pub?.endAsync();
    await dispose?.();
  });

  it('takes positions over MQTT, keeps the newest, counts a refused one, and says when a unit is stale', async () => {
    const now = Date.now();
    await pub.publishAsync(
      topics.unitPosition('ca-t1'),
      JSON.stringify({ ts: now - 1000, lat: at.lat, lon: at.lon, accuracyM: 5, id: 'p1' }),
      { qos: 1 },
    );
    const u1 = await eventually(async () => {
      const u = await unit('ca-t1');
      expect(u?.ts).toBe(now - 1000);
      return u!;
    });
    expect(u1).toMatchObject({ lat: at.lat, lon: at.lon, status: 'available', onDuty: true, accuracyM: 5 });
    expect(unitStale(u1, Date.now())).toBe(false);
    // a late position (older than the one held) is stored but never moves the unit back
    await pub.publishAsync(
      topics.unitPosition('ca-t1'),
      JSON.stringify({ ts: now - 60_000, lat: at.lat + 0.01, lon: at.lon, id: 'p0' }),
      { qos: 1 },
    );
    // a position of an unregistered unit, and one outside the city, are refused with a reason
    await ioc.ingest.accept(
      topics.unitPosition('ca-none'),
      JSON.stringify({ ts: now, lat: at.lat, lon: at.lon }),
    );
    await ioc.ingest.accept(topics.unitPosition('ca-t1'), JSON.stringify({ ts: now, lat: 0, lon: 0 }));
    await ioc.ingest.accept(topics.unitPosition('ca-t1'), JSON.stringify({ ts: now, lat: 'x' }));
    await until(async () => {
      const r = await rejects();
      expect(r).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ topic: 'ioc/unit/ca-none/position', reason: 'unknown_asset' }),
          expect.objectContaining({ topic: 'ioc/unit/ca-t1/position', reason: 'out_of_area' }),
          expect.objectContaining({ topic: 'ioc/unit/ca-t1/position', reason: 'invalid_payload' }),
        ]),
      );
    });
    expect((await unit('ca-t1'))?.lat).toBe(at.lat);
    const stored = await ioc.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM unit_positions WHERE unit_id = 'ca-t1'",
    );
    expect(stored.rows[0].n).toBe(2);
    // ca-t2 last reported three minutes ago: stale, and ranked after the fresh unit even though nearer
    await ioc.ingest.accept(
      topics.unitPosition('ca-t2'),
      JSON.stringify({ ts: Date.now() - 3 * 60_000, lat: at.lat, lon: at.lon + 0.0001 }),
    );
    const u2 = await eventually(async () => {
      const u = await unit('ca-t2');
      expect(u?.ts).toBeDefined();
      return u!;
    });
    expect(unitStale(u2, Date.now())).toBe(true);
    const ranked = rankUnits(await units(), [at.lon, at.lat], Date.now());
    expect(ranked.map((r) => [r.unit.id, r.stale])).toEqual([
      ['ca-t1', false],
      ['ca-t2', true],
    ]);
    expect(ranked[0].etaMin).toBe(1);
  });

  it.runIf(setup.name.startsWith('embedded'))(
    'refuses at the broker a unit the device does not own',
    async () => {
      const staleTs = (await unit('ca-t2'))?.ts;
      await pub
        .publishAsync(
          topics.unitPosition('ca-t2'),
          JSON.stringify({ ts: Date.now(), lat: at.lat, lon: at.lon }),
          {
            qos: 1,
          },
        )
        .catch(() => {});
      // then one it owns: once that one shows, the refused one would have too
      const ts = Date.now();
      await pub.publishAsync(topics.unitPosition('ca-t1'), JSON.stringify({ ts, lat: at.lat, lon: at.lon }), {
        qos: 1,
      });
      await until(async () => expect((await unit('ca-t1'))?.ts).toBe(ts));
      expect((await unit('ca-t2'))?.ts).toBe(staleTs);
      const admin = await loginAs(ioc, 'admin');
      const metrics = await (await admin.fetch('/metrics')).text();
      expect(metrics).toMatch(/^ioc_mqtt_denied_total\{reason="asset"\} [1-9]/m);
    },
  );

  it('dispatches an incident to a phone unit, pushes the task live, and records each step in the history', async () => {
    // the field officer goes on duty: the phone's position makes its unit
    const share = await field.fetch('/api/units/me/position', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lat: at.lat + 0.001, lon: at.lon, accuracyM: 12 }),
    });
    expect(share.status).toBe(202);
    const { unitId } = (await share.json()) as { unitId: string };
    expect(unitId).toBe(`field-${field.username}`);
    const again = await field.fetch('/api/units/me/position', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lat: at.lat, lon: at.lon }),
    });
    expect(again.status).toBe(429);
    expect((await again.json()).error.code).toBe('too_frequent');
    await until(async () => expect((await unit(unitId))?.linked).toBe(true));

    // the phone listens for its tasks; the console watches the units layer
    const phone = io(ioc.httpUrl, { extraHeaders: { cookie: field.cookie }, transports: ['websocket'] });
    const console_ = io(ioc.httpUrl, { extraHeaders: { cookie: op.cookie }, transports: ['websocket'] });
    const pushed: FieldTask[] = [];
    phone.on('task:changed' as keyof ServerToClientEvents, (t: FieldTask) => pushed.push(t));
    const unitDeltas: UnitItem[] = [];
    console_.on('delta', (d) => {
      if (d.layer === 'units') unitDeltas.push(...(d.items as UnitItem[]));
    });
    await new Promise<void>((r) => phone.on('connect', () => r()));
    const ack = (await console_.emitWithAck('subscribe', { layers: ['units'] })) as SubscribeAck;
    expect(ack.ok && ack.snapshot.units?.some((u) => u.id === unitId)).toBe(true);
    // a field account may not watch the units layer
    const refused = (await phone.emitWithAck('subscribe', { layers: ['units'] })) as SubscribeAck;
    expect(refused.ok).toBe(false);

    try {
      const fd = new FormData();
      for (const [k, v] of Object.entries({ category: 'public_order', ...at })) fd.append(k, String(v));
      const rep = (await (
        await op.fetch('/api/reports', { method: 'POST', body: fd })
      ).json()) as ReportCreated;
      const patch = (body: object) =>
        op.fetch(`/api/incidents/${rep.id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await patch({ action: 'acknowledge' })).status).toBe(200);
      expect((await patch({ action: 'assign', unitId: 'no-such-unit' })).status).toBe(404);
      const assigned = await patch({ action: 'assign', unitId, note: 'đến ngay' });
      expect(assigned.status).toBe(200);
      expect((await assigned.json()).incident).toMatchObject({
        status: 'dispatched',
        assignee: 'Test field',
      });

      const task = await eventually(() => {
        expect(pushed.at(-1)).toMatchObject({ incidentId: rep.id, status: 'assigned', note: 'đến ngay' });
        return pushed.at(-1)!;
      });
      await until(() =>
        expect(unitDeltas.findLast((u) => u.id === unitId)).toMatchObject({
          status: 'dispatched',
          incidentId: rep.id,
        }),
      );
      const mine = (await (await field.fetch('/api/tasks')).json()) as TasksAnswer;
      expect(mine.unit?.id).toBe(unitId);
      expect(mine.tasks.map((t) => [t.id, t.status])).toEqual([[task.id, 'assigned']]);

      // a note goes as a form (as the phone sends it, with a photo or not); a bare step as JSON
      const step = (s: string, note?: string, who = field) => {
        if (!note) return who.fetch(`/api/tasks/${task.id}/${s}`, { method: 'POST' });
        const form = new FormData();
        form.append('note', note);
        return who.fetch(`/api/tasks/${task.id}/${s}`, { method: 'POST', body: form });
      };
      // someone else's task, a step out of order
      const other = await loginAs(ioc, 'field');
      expect((await step('accept', undefined, other)).status).toBe(404);
      expect((await step('done')).status).toBe(409);
      expect((await step('accept')).status).toBe(200);
      expect((await step('on_scene', 'đã đến')).status).toBe(200);
      await until(() => expect(unitDeltas.findLast((u) => u.id === unitId)?.status).toBe('on_scene'));
      expect((await step('done', 'đã giải tỏa')).status).toBe(200);
      await until(() => expect(pushed.at(-1)?.status).toBe('done'));
      await until(() => expect(unitDeltas.findLast((u) => u.id === unitId)?.status).toBe('available'));

      const d = (await (await op.fetch(`/api/incidents/${rep.id}`)).json()) as IncidentDetail;
      expect(d.incident.status).toBe('resolved');
      expect(d.history.map((h) => [h.action, h.actor, h.note])).toEqual([
        ['reported', 'Test operator', null],
        ['acknowledge', op.username, null],
        ['assign', op.username, 'đến ngay'],
        ['unit_accept', field.username, null],
        ['unit_on_scene', field.username, 'đã đến'],
        ['unit_done', field.username, 'đã giải tỏa'],
        ['resolve', field.username, null],
      ]);
      // the assignment names the unit it went to: the incident keeps only the last assignee
      expect(d.history.find((h) => h.action === 'assign')?.assignee).toBe('Test field');
      expect(d.history.filter((h) => h.assignee).length).toBe(1);
    } finally {
      phone.close();
      console_.close();
    }
  });

  it('takes the unit off the map when its officer stops sharing', async () => {
    const off = await field.fetch('/api/units/me/off-duty', { method: 'POST' });
    expect(off.status).toBe(204);
    await until(async () => expect((await unit(`field-${field.username}`))?.onDuty).toBe(false));
  });

  it('lets an admin register a patrol car and link a field account, which then sees the unit before any share', async () => {
    const admin = await loginAs(ioc, 'admin');
    const officer = await loginAs(ioc, 'field');
    const put = (who: TestSession, id: string, body: object) =>
      who.fetch(`/api/admin/units/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put(op, 'ca-t3', { name: 'Tổ 3', kind: 'patrol', account: null })).status).toBe(403);
    expect((await op.fetch('/api/admin/units')).status).toBe(403);
    const made = await put(admin, 'ca-t3', {
      name: 'Tổ tuần tra 3',
      kind: 'patrol',
      account: officer.username,
    });
    expect(made.status).toBe(201);
    // the officer's phone has the unit and its (empty) task list before it ever shared a position
    const tasks = (await (await officer.fetch('/api/tasks')).json()) as TasksAnswer;
    expect(tasks.unit).toMatchObject({ id: 'ca-t3', name: 'Tổ tuần tra 3', linked: true });
    await until(async () => expect((await unit('ca-t3'))?.name).toBe('Tổ tuần tra 3'));
    // and its phone's positions go to that unit, not to a unit of its own
    const share = await officer.fetch('/api/units/me/position', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lat: at.lat, lon: at.lon }),
    });
    expect(((await share.json()) as { unitId: string }).unitId).toBe('ca-t3');

    const list = (await (await admin.fetch('/api/admin/units')).json()) as {
      items: Array<{ id: string; account: string | null }>;
    };
    expect(list.items.find((u) => u.id === 'ca-t3')?.account).toBe(officer.username);
    // one account, one unit; only field accounts; a bad id
    const taken = await put(admin, 'ca-t4', { name: 'Tổ 4', kind: 'patrol', account: officer.username });
    expect([taken.status, ((await taken.json()) as { error: { code: string } }).error.code]).toEqual([
      409,
      'account_taken',
    ]);
    const notField = await put(admin, 'ca-t4', { name: 'Tổ 4', kind: 'patrol', account: op.username });
    expect([notField.status, ((await notField.json()) as { error: { code: string } }).error.code]).toEqual([
      422,
      'not_field_account',
    ]);
    expect((await put(admin, 'c%20a', { name: 'x', kind: 'patrol', account: null })).status).toBe(400);
    // renamed and unlinked: the same unit, audited both times
    expect((await put(admin, 'ca-t3', { name: 'Tổ 3 (xe 2)', kind: 'patrol', account: null })).status).toBe(
      200,
    );
    expect(((await (await officer.fetch('/api/tasks')).json()) as TasksAnswer).unit).toBeNull();
    const audit = (await (await admin.fetch('/api/admin/audit?limit=1000')).json()) as {
      items: Array<{ action: string; target: string }>;
    };
    expect(
      audit.items
        .filter((e) => e.target === 'ca-t3')
        .map((e) => e.action)
        .sort(),
    ).toEqual(['unit.create', 'unit.update']);
  });
});

/** Waits until the assertions in `fn` pass. */
const until = (fn: () => unknown) =>
  eventually(async () => {
    await fn();
    return true;
  });

/** Registers units as the simulation does (through the running IOC's units module). */
async function registerUnits(
  ioc: RunningIoc,
  defs: Array<{ id: string; name: string; kind: 'patrol' }>,
): Promise<void> {
  await ioc.units.register(defs);
}
