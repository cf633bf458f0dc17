import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_RULE_DEFAULTS, ALARM_RULES } from '#contract/alarms.ts';
import { type AlarmRaise, AlarmsRepo } from './alarmsRepo.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pgliteDb.ts';
import { openPostgres } from './postgresDb.ts';
import { type OpenedTestDb, testBackends } from './testDatabases.ts';

const M = 60_000;
const H = 60 * M;
const T0 = Date.UTC(2026, 10, 23, 1);

let n = 0;
/** A road-jam alarm on a segment of its own, so the tests do not share rows. */
function jam(over: Partial<AlarmRaise> = {}): AlarmRaise {
  const seg = `seg-${++n}`;
  return {
    key: `road_jam:${seg}`,
    rule: 'road_jam',
    priority: 3,
    latched: false,
    assetId: seg,
    wardId: 'w1',
    titleCode: 'road_jam',
    params: { segment: 'Trần Hưng Đạo', speedKmh: 8 },
    lat: 13.77,
    lon: 109.22,
    ...over,
  };
}
const sys = (at: number) => ({ actor: 'system', at });

describe.each(testBackends())('alarms store on $name', (backend) => {
  let opened: OpenedTestDb;
  let db: Db;
  let repo: AlarmsRepo;

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.db;
    repo = new AlarmsRepo(db);
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it('ships the default rules of the contract', async () => {
    expect(await repo.listRules()).toEqual(ALARM_RULES.map((r) => ALARM_RULE_DEFAULTS[r]));
  });

  it('raises, acknowledges and clears an alarm, each step a history row with who and when', async () => {
    const raised = await repo.raise(jam(), sys(T0));
    expect(raised).toMatchObject({
      ok: true,
      changed: true,
      item: {
        state: 'unack_active',
        rule: 'road_jam',
        priority: 3,
        wardId: 'w1',
        title: { code: 'road_jam', params: { segment: 'Trần Hưng Đạo', speedKmh: 8 } },
        activatedAt: T0,
        activationCount: 1,
        version: 1,
      },
    });
    if (!raised.ok) return;
    const id = raised.item.id;
    // the condition still holding: the title follows, the state and the history do not move
    const again = await repo.raise({ ...jam(), key: raised.item.key, params: { speedKmh: 5 } }, sys(T0 + M));
    expect(again).toMatchObject({
      ok: true,
      changed: false,
      item: { state: 'unack_active', activationCount: 1 },
    });
    const ack = await repo.apply(
      id,
      { type: 'acknowledge' },
      { actor: 'op1', at: T0 + 2 * M, note: 'đã gọi CSGT' },
    );
    expect(ack).toMatchObject({
      ok: true,
      item: { state: 'ack_active', ackedBy: 'op1', ackedAt: T0 + 2 * M },
    });
    const cleared = await repo.clear(raised.item.key, sys(T0 + 3 * M));
    expect(cleared).toMatchObject({ ok: true, item: { state: 'normal', clearedAt: T0 + 3 * M } });
    expect(await repo.history(id)).toEqual([
      expect.objectContaining({
        event: 'clear',
        actor: 'system',
        from: 'ack_active',
        to: 'normal',
        time: T0 + 3 * M,
      }),
      expect.objectContaining({
        event: 'acknowledge',
        actor: 'op1',
        from: 'unack_active',
        to: 'ack_active',
        note: 'đã gọi CSGT',
      }),
      expect.objectContaining({
        event: 'activate',
        actor: 'system',
        from: 'normal',
        to: 'unack_active',
        time: T0,
      }),
    ]);
    expect((await repo.listOpen()).some((a) => a.id === id)).toBe(false);
    // the history cannot be rewritten
    await expect(
      db.query('UPDATE alarm_history SET actor = $1 WHERE alarm_id = $2', ['x', id]),
    ).rejects.toThrow(/append-only/);
  });

  it('refuses an illegal action with the current state and writes nothing', async () => {
    const r = await repo.raise(jam(), sys(T0));
    if (!r.ok) throw new Error('not raised');
    await repo.clear(r.item.key, sys(T0 + M));
    const refused = await repo.apply(r.item.id, { type: 'acknowledge' }, { actor: 'op1' });
    expect(refused).toMatchObject({
      ok: false,
      code: 'illegal_transition',
      state: 'normal',
      message: 'cannot acknowledge an alarm that is normal',
    });
    expect(await repo.history(r.item.id)).toHaveLength(2);
    expect(await repo.apply('999999', { type: 'acknowledge' }, { actor: 'op1' })).toMatchObject({
      code: 'not_found',
    });
  });

  it('answers a concurrent acknowledgement once: the others are refused with the current state', async () => {
    const r = await repo.raise(jam(), sys(T0));
    if (!r.ok) throw new Error('not raised');
    const results = await Promise.all(
      ['op1', 'op2', 'op3', 'op4', 'op5', 'op6'].map((actor) =>
        repo.apply(r.item.id, { type: 'acknowledge' }, { actor, at: T0 + M }),
      ),
    );
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    for (const x of results.filter((x) => !x.ok))
      expect(x).toMatchObject({ code: 'illegal_transition', state: 'ack_active' });
    const acks = (await repo.history(r.item.id)).filter((h) => h.event === 'acknowledge');
    expect(acks).toHaveLength(1);
  });

  it('keeps a latched critical alarm that cleared unacknowledged until acknowledged', async () => {
    const r = await repo.raise(jam({ priority: 1, latched: true }), sys(T0));
    if (!r.ok) throw new Error('not raised');
    expect(await repo.clear(r.item.key, sys(T0 + M))).toMatchObject({ item: { state: 'unack_cleared' } });
    expect((await repo.listOpen())[0]).toMatchObject({ id: r.item.id, priority: 1, state: 'unack_cleared' });
    expect(await repo.apply(r.item.id, { type: 'acknowledge' }, { actor: 'op1' })).toMatchObject({
      item: { state: 'normal' },
    });
  });

  it('shelves timed and one-shot, and ends a one-shot shelf when the condition clears', async () => {
    const r = await repo.raise(jam(), sys(T0));
    if (!r.ok) throw new Error('not raised');
    const shelf = { type: 'shelve', by: 'op1', reason: 'đang sửa', until: null } as const;
    expect(await repo.apply(r.item.id, shelf, { actor: 'op1', at: T0 + M })).toMatchObject({
      item: { shelved: { by: 'op1', reason: 'đang sửa', at: T0 + M, until: null } },
    });
    expect(await repo.apply(r.item.id, shelf, { actor: 'op2', at: T0 + M })).toMatchObject({
      ok: false,
      message: 'cannot shelve an alarm that is already shelved; unshelve it first',
    });
    expect(await repo.clear(r.item.key, sys(T0 + 2 * M))).toMatchObject({
      item: { state: 'normal', shelved: null },
    });
    await repo.raise({ ...jam(), key: r.item.key }, sys(T0 + 3 * M));
    const timed = await repo.apply(
      r.item.id,
      { ...shelf, until: T0 + 3 * M + H },
      { actor: 'op1', at: T0 + 3 * M },
    );
    expect(timed).toMatchObject({
      item: { state: 'unack_active', shelved: { until: T0 + 3 * M + H }, activationCount: 2 },
    });
    expect(await repo.apply(r.item.id, { type: 'unshelve' }, sys(T0 + 4 * M))).toMatchObject({
      item: { shelved: null },
    });
  });

  it('suppresses the alarms of an asset out of service, also new ones, and lists it until returned', async () => {
    const a = jam();
    const before = await repo.raise(a, sys(T0));
    if (!before.ok) throw new Error('not raised');
    const put = await repo.putOutOfService(
      { assetId: a.assetId!, reason: 'bảo trì camera', until: null },
      'admin',
      T0 + M,
    );
    expect(put.item).toEqual({
      assetId: a.assetId,
      by: 'admin',
      reason: 'bảo trì camera',
      since: T0 + M,
      until: null,
    });
    expect(put.suppressed.map((x) => x.id)).toEqual([before.item.id]);
    // another alarm of the same asset is suppressed as it activates
    const other = await repo.raise(
      { ...a, key: `asset_silent:${a.assetId}`, rule: 'asset_silent', titleCode: 'asset_silent' },
      sys(T0 + 2 * M),
    );
    expect(other).toMatchObject({
      ok: true,
      item: { state: 'unack_active', suppressed: { by: 'admin', reason: 'bảo trì camera' } },
    });
    expect((await repo.listOutOfService(T0 + 3 * M)).map((o) => o.assetId)).toContain(a.assetId);
    const back = await repo.returnToService(a.assetId!, 'admin', T0 + 4 * M);
    expect(back.removed).toBe(true);
    expect(back.unsuppressed).toHaveLength(2);
    expect((await repo.listOutOfService(T0 + 5 * M)).map((o) => o.assetId)).not.toContain(a.assetId);
    // a timed out-of-service ends by itself
    await repo.putOutOfService({ assetId: 'cam-x', reason: 'r', until: T0 + H }, 'admin', T0);
    expect((await repo.listOutOfService(T0 + H)).map((o) => o.assetId)).not.toContain('cam-x');
  });

  it('groups children under a flood parent', async () => {
    const parent = await repo.raise(
      jam({
        key: 'flood:road_jam:w9',
        assetId: null,
        wardId: 'w9',
        titleCode: 'flood_group',
        params: { rule: 'road_jam', wardId: 'w9', count: 3 },
      }),
      sys(T0),
    );
    if (!parent.ok) throw new Error('not raised');
    const kids = [jam({ wardId: 'w9' }), jam({ wardId: 'w9' }), jam({ wardId: 'w9' })];
    for (const k of kids) await repo.raise(k, { ...sys(T0), chatterCount: 1 });
    expect(
      await repo.setParent(
        kids.map((k) => k.key),
        parent.item.id,
      ),
    ).toBe(3);
    expect(await repo.get(parent.item.id)).toMatchObject({ childCount: 3, title: { code: 'flood_group' } });
    expect((await repo.children(parent.item.id)).map((c) => c.key)).toEqual(kids.map((k) => k.key));
  });

  it('updates a rule and resets it to the shipped default', async () => {
    const changed = {
      ...ALARM_RULE_DEFAULTS.road_jam,
      threshold: 0.25,
      delayMs: 10 * M,
      priority: 2 as const,
    };
    expect(await repo.updateRule(changed, 'admin')).toEqual(changed);
    expect((await repo.listRules())[0]).toEqual(changed);
    expect(await repo.resetRule('road_jam', 'admin')).toEqual(ALARM_RULE_DEFAULTS.road_jam);
  });

  it('says who changed a rule last and when; a rule never changed has no one', async () => {
    const before = Date.now();
    await repo.updateRule({ ...ALARM_RULE_DEFAULTS.reject_spike, threshold: 30 }, 'thu.admin');
    const settings = await repo.ruleSettings();
    expect(settings.map((s) => s.rule)).toEqual([...ALARM_RULES]);
    const spike = settings.find((s) => s.rule === 'reject_spike');
    expect(spike).toMatchObject({ threshold: 30, updatedBy: 'thu.admin' });
    expect(spike?.updatedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(settings.find((s) => s.rule === 'asset_silent')?.updatedBy).toBeNull();
  });

  it('counts the open alarms each asset out of service holds back', async () => {
    const a = jam();
    const b = jam({ assetId: a.assetId, key: `asset_silent:${a.assetId}`, rule: 'asset_silent' });
    await repo.raise(a, sys(T0));
    await repo.raise(b, sys(T0));
    await repo.putOutOfService({ assetId: a.assetId!, reason: 'thay camera', until: null }, 'admin', T0 + M);
    await repo.putOutOfService({ assetId: 'seg-quiet', reason: 'sửa đường', until: null }, 'admin', T0 + M);
    const views = await repo.outOfServiceViews(T0 + 2 * M);
    expect(views.find((v) => v.assetId === a.assetId)).toMatchObject({
      reason: 'thay camera',
      suppressedAlarms: 2,
    });
    expect(views.find((v) => v.assetId === 'seg-quiet')?.suppressedAlarms).toBe(0);
    await repo.returnToService(a.assetId!, 'admin', T0 + 3 * M);
    await repo.returnToService('seg-quiet', 'admin', T0 + 3 * M);
    expect((await repo.outOfServiceViews(T0 + 4 * M)).map((v) => v.assetId)).not.toContain(a.assetId);
  });

  it('shows an acknowledgement made through a second connection to the same database', async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (backend.name !== 'postgres' || !url) return; // the embedded database has one connection
    const name = (await db.query<{ d: string }>('SELECT current_database() AS d')).rows[0].d;
    const u = new URL(url);
    u.pathname = `/${name}`;
    const second = await openPostgres(u.toString(), { max: 2 });
    try {
      const other = new AlarmsRepo(second);
      const r = await repo.raise(jam(), sys(T0));
      if (!r.ok) throw new Error('not raised');
      const [a, b] = await Promise.all([
        repo.apply(r.item.id, { type: 'acknowledge' }, { actor: 'op1' }),
        other.apply(r.item.id, { type: 'acknowledge' }, { actor: 'op2' }),
      ]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      expect(await other.get(r.item.id)).toMatchObject({ state: 'ack_active' });
    } finally {
      await second.close();
    }
  });
});

describe('alarms across a restart of the embedded database', () => {
  it('keeps every alarm state, flag and history row', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-alarms-'));
    try {
      let db = await openPglite({ dataDir: dir });
      await migrate(db);
      let repo = new AlarmsRepo(db);
      const a = await repo.raise(jam(), sys(T0));
      const b = await repo.raise(jam({ priority: 1, latched: true }), sys(T0));
      const c = await repo.raise(jam(), sys(T0));
      if (!a.ok || !b.ok || !c.ok) throw new Error('not raised');
      await repo.apply(a.item.id, { type: 'acknowledge' }, { actor: 'op1', at: T0 + M });
      await repo.clear(b.item.key, sys(T0 + M));
      await repo.apply(
        c.item.id,
        { type: 'shelve', by: 'op1', reason: 'known', until: T0 + H },
        { actor: 'op1', at: T0 + M },
      );
      const before = await repo.listOpen();
      await db.close();

      db = await openPglite({ dataDir: dir });
      expect(await migrate(db)).toEqual([]);
      repo = new AlarmsRepo(db);
      const after = await repo.listOpen();
      expect(after).toEqual(before);
      expect(after.map((x) => [x.id, x.state, x.shelved?.until ?? null])).toEqual(
        expect.arrayContaining([
          [a.item.id, 'ack_active', null],
          [b.item.id, 'unack_cleared', null],
          [c.item.id, 'unack_active', T0 + H],
        ]),
      );
      expect(await repo.history(a.item.id)).toHaveLength(2);
      // and the lifecycle goes on from the stored state
      expect(await repo.apply(b.item.id, { type: 'acknowledge' }, { actor: 'op2' })).toMatchObject({
        item: { state: 'normal' },
      });
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
