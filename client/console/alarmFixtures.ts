// Alarms for the console's unit tests and the list benchmark: an AlarmItem with what a test says.
import type { AlarmItem } from '#contract/alarmVocab.ts';

export const T0 = Date.UTC(2026, 11, 5, 1, 0, 0);

export function alarm(id: string, over: Partial<AlarmItem> = {}): AlarmItem {
  return {
    id,
    key: `road_jam:seg-${id}`,
    rule: 'road_jam',
    priority: 3,
    state: 'unack_active',
    assetId: `seg-${id}`,
    wardId: 'le-loi',
    title: { code: 'road_jam', params: { segment: `Đường ${id}`, speedKmh: 6, limitKmh: 50 } },
    lat: 13.77,
    lon: 109.22,
    latched: false,
    shelved: null,
    suppressed: null,
    parentId: null,
    childCount: 0,
    chatterCount: 0,
    activationCount: 1,
    activatedAt: T0,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    updatedAt: T0,
    version: 1,
    ...over,
  };
}

export const byId = (...items: AlarmItem[]): Map<string, AlarmItem> => new Map(items.map((a) => [a.id, a]));
