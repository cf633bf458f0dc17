import { describe, expect, it } from 'vitest';
import { alarmMarks } from '../map/layers/alarmLayer.ts';
import { alarm, byId, T0 } from './alarmFixtures.ts';
import {
  ackTargets,
  alarmRows,
  bannerAlarm,
  compareAlarms,
  NO_FILTER,
  unackedByPriority,
  unackedCount,
} from './alarmList.ts';

const ids = (rows: { item: { id: string } }[]) => rows.map((r) => r.item.id);
const shelf = { by: 'op', reason: 'đang sửa', at: T0, until: T0 + 3_600_000 };
const oos = { by: 'admin', reason: 'bảo trì', at: T0 };

describe('the alarm list', () => {
  it('puts the most urgent first, then the newest', () => {
    const all = byId(
      alarm('a', { priority: 3, activatedAt: T0 }),
      alarm('b', { priority: 1, activatedAt: T0 - 60_000 }),
      alarm('c', { priority: 3, activatedAt: T0 + 60_000 }),
      alarm('d', { priority: 2, activatedAt: T0 }),
      alarm('e', { priority: 4, activatedAt: T0 + 120_000 }),
    );
    expect(ids(alarmRows(all, NO_FILTER, new Set()))).toEqual(['b', 'd', 'c', 'a', 'e']);
    // ties keep one order whatever the map's order
    const x = alarm('x');
    const y = alarm('y');
    expect(compareAlarms(x, y)).toBeLessThan(0);
    expect(compareAlarms(y, x)).toBeGreaterThan(0);
  });

  it('filters by priority, rule, ward and state', () => {
    const all = byId(
      alarm('jam', { priority: 3 }),
      alarm('cam', { rule: 'camera_offline', priority: 3, wardId: 'hai-cang' }),
      alarm('fire', { rule: 'camera_detection', priority: 1, state: 'ack_active' }),
      alarm('low', { priority: 4, state: 'unack_cleared' }),
    );
    const rows = (f: Partial<typeof NO_FILTER>) => ids(alarmRows(all, { ...NO_FILTER, ...f }, new Set()));
    expect(rows({ priorities: [1, 4] })).toEqual(['fire', 'low']);
    expect(rows({ rule: 'camera_offline' })).toEqual(['cam']);
    expect(rows({ ward: 'hai-cang' })).toEqual(['cam']);
    expect(rows({ state: 'ack_active' })).toEqual(['fire']);
    expect(rows({ state: 'unack_cleared', priorities: [4] })).toEqual(['low']);
  });

  it('lists an indicator alarm, which has no place on the map: no mark, found under its type', () => {
    const overdue = alarm('od', {
      key: 'indicator_threshold:dossier_overdue:agency=so-tu-phap:critical',
      rule: 'indicator_threshold',
      priority: 2,
      assetId: null,
      wardId: null,
      lat: null,
      lon: null,
      title: { code: 'indicator_threshold', params: { indicator: 'dossier_overdue', value: 23 } },
    });
    const all = byId(alarm('jam'), overdue);
    expect(ids(alarmRows(all, NO_FILTER, new Set()))).toEqual(['od', 'jam']);
    expect(ids(alarmRows(all, { ...NO_FILTER, rule: 'indicator_threshold' }, new Set()))).toEqual(['od']);
    expect(alarmMarks(all.values()).map((a) => a.id)).toEqual(['jam']);
    expect(bannerAlarm(all)?.item.id).toBe('od');
  });

  it('hides shelved and out-of-service alarms unless asked, and shows them under their own filter', () => {
    const all = byId(alarm('on'), alarm('shelved', { shelved: shelf }), alarm('oos', { suppressed: oos }));
    expect(ids(alarmRows(all, NO_FILTER, new Set()))).toEqual(['on']);
    expect(ids(alarmRows(all, { ...NO_FILTER, show: 'shelved' }, new Set()))).toEqual(['shelved']);
    expect(ids(alarmRows(all, { ...NO_FILTER, show: 'suppressed' }, new Set()))).toEqual(['oos']);
    expect(ids(alarmRows(all, { ...NO_FILTER, show: 'all' }, new Set())).sort()).toEqual([
      'on',
      'oos',
      'shelved',
    ]);
  });

  it('lists a flood parent once with its children count, and its children under it when expanded', () => {
    const parent = alarm('p', {
      key: 'flood:road_jam:le-loi',
      childCount: 3,
      title: { code: 'flood_group', params: {} },
    });
    const kids = ['k1', 'k2', 'k3'].map((id, i) => alarm(id, { parentId: 'p', activatedAt: T0 + i }));
    const other = alarm('o', { priority: 2 });
    const all = byId(parent, ...kids, other);
    const closed = alarmRows(all, NO_FILTER, new Set());
    expect(ids(closed)).toEqual(['o', 'p']);
    expect(closed[1]).toMatchObject({ children: 3, expanded: false });
    const open = alarmRows(all, NO_FILTER, new Set(['p']));
    expect(ids(open)).toEqual(['o', 'p', 'k3', 'k2', 'k1']);
    expect(open.map((r) => r.depth)).toEqual([0, 0, 1, 1, 1]);
    // a child whose parent the console does not hold is listed on its own
    expect(ids(alarmRows(byId(kids[0]), NO_FILTER, new Set()))).toEqual(['k1']);
    // and so is one out of service on its own, under that filter
    const oosKid = { ...kids[1], suppressed: oos };
    expect(ids(alarmRows(byId(parent, oosKid), { ...NO_FILTER, show: 'suppressed' }, new Set()))).toEqual([
      'k2',
    ]);
  });

  it('acknowledges a flood parent together with its children that wait, and only what can be acknowledged', () => {
    const parent = alarm('p', { childCount: 3 });
    const all = byId(
      parent,
      alarm('k1', { parentId: 'p' }),
      alarm('k2', { parentId: 'p', state: 'ack_active' }),
      alarm('k3', { parentId: 'p', state: 'unack_cleared' }),
      alarm('acked', { state: 'ack_active' }),
      alarm('lone'),
    );
    expect(ackTargets(['p'], all, T0).sort()).toEqual(['k1', 'k3', 'p']);
    expect(ackTargets(['acked', 'lone'], all, T0)).toEqual(['lone']);
  });

  it('counts the watched unacknowledged alarms, by priority', () => {
    const all = [
      alarm('a', { priority: 1 }),
      alarm('b', { priority: 3, state: 'unack_cleared' }),
      alarm('c', { priority: 3, state: 'ack_active' }),
      alarm('d', { priority: 2, shelved: shelf }),
      alarm('e', { priority: 4, suppressed: oos }),
    ];
    expect(unackedCount(all)).toBe(2);
    expect(unackedByPriority(all)).toEqual({ 1: 1, 2: 0, 3: 1, 4: 0 });
  });
});

describe('the banner', () => {
  it('shows the most urgent unacknowledged alarm, flashing, and how many others wait', () => {
    const all = byId(
      alarm('medium', { priority: 3, activatedAt: T0 + 5_000 }),
      alarm('critical', { priority: 1 }),
      alarm('critical-acked', { priority: 1, state: 'ack_active', activatedAt: T0 + 9_000 }),
      alarm('high', { priority: 2 }),
    );
    expect(bannerAlarm(all)).toMatchObject({ item: { id: 'critical' }, unacked: true, others: 2 });
  });

  it('prefers a flood parent to its children', () => {
    const all = byId(alarm('k1', { parentId: 'p', activatedAt: T0 + 1000 }), alarm('p', { childCount: 1 }));
    expect(bannerAlarm(all)?.item.id).toBe('p');
  });

  it('stops flashing once everything is acknowledged: the most urgent still active stays, steady', () => {
    const all = byId(
      alarm('a', { priority: 2, state: 'ack_active' }),
      alarm('b', { priority: 3, state: 'ack_active' }),
    );
    expect(bannerAlarm(all)).toMatchObject({ item: { id: 'a' }, unacked: false, others: 0 });
  });

  it('is gone when nothing is watched: shelved and out-of-service alarms do not count', () => {
    expect(bannerAlarm(byId())).toBeNull();
    expect(bannerAlarm(byId(alarm('s', { shelved: shelf }), alarm('o', { suppressed: oos })))).toBeNull();
  });
});
