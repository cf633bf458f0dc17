// The alarm list's rules, pure: what the operator sees, in which order, and what one click acknowledges.
import { alarmActionsFor } from '#contract/alarmLifecycle.ts';
import {
  type AlarmItem,
  type AlarmPriority,
  type AlarmRuleCode,
  type AlarmState,
  CHATTER_ACTIVATIONS,
} from '#contract/alarmVocab.ts';

/** Which alarms the list shows besides the watched ones: shelved by an operator, suppressed by design. */
export type AlarmShow = 'active' | 'shelved' | 'suppressed' | 'all';
export const ALARM_SHOWS: readonly AlarmShow[] = ['active', 'shelved', 'suppressed', 'all'];

export interface AlarmFilter {
  /** empty: every priority */
  priorities: AlarmPriority[];
  rule: AlarmRuleCode | null;
  ward: string | null;
  state: AlarmState | null;
  show: AlarmShow;
}

export const NO_FILTER: AlarmFilter = { priorities: [], rule: null, ward: null, state: null, show: 'active' };

/** One line of the list: an alarm, and for a flood parent its children present and whether they show. */
export interface AlarmRow {
  item: AlarmItem;
  /** 0: top level; 1: a child shown under its expanded parent */
  depth: 0 | 1;
  /** children of a flood parent that the console holds (the item's `childCount` is the server's count) */
  children: number;
  expanded: boolean;
}

/** Unacknowledged: waiting for an operator (the condition may have cleared meanwhile). */
export const isUnacked = (a: Pick<AlarmItem, 'state'>): boolean =>
  a.state === 'unack_active' || a.state === 'unack_cleared';
/** Watched: open, neither shelved nor suppressed (what sounds and flashes). */
export const isWatched = (a: Pick<AlarmItem, 'state' | 'shelved' | 'suppressed'>): boolean =>
  a.state !== 'normal' && !a.shelved && !a.suppressed;
export const isChattering = (a: Pick<AlarmItem, 'chatterCount'>): boolean =>
  a.chatterCount >= CHATTER_ACTIVATIONS;

/** When it started, for the order: the last activation, else the last change. */
export const alarmTime = (a: AlarmItem): number => a.activatedAt ?? a.updatedAt;

/** Most urgent first (priority 1), then the newest, then by id so the order never flickers. */
export function compareAlarms(a: AlarmItem, b: AlarmItem): number {
  return a.priority - b.priority || alarmTime(b) - alarmTime(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function matches(a: AlarmItem, f: AlarmFilter): boolean {
  if (a.state === 'normal') return false;
  if (f.priorities.length > 0 && !f.priorities.includes(a.priority)) return false;
  if (f.rule && a.rule !== f.rule) return false;
  if (f.ward && a.wardId !== f.ward) return false;
  if (f.state && a.state !== f.state) return false;
  switch (f.show) {
    case 'active':
      return !a.shelved && !a.suppressed;
    case 'shelved':
      return !!a.shelved;
    case 'suppressed':
      return !!a.suppressed;
    case 'all':
      return true;
  }
}

/**
 * The list's lines: top-level alarms that match, sorted; each expanded flood parent followed by its
 * matching children, sorted the same way. A child whose parent is not listed (the console does not
 * hold it, or the filter leaves it out: a child shelved or out of service on its own) is a line of its own.
 */
export function alarmRows(
  all: ReadonlyMap<string, AlarmItem>,
  filter: AlarmFilter,
  expanded: ReadonlySet<string>,
): AlarmRow[] {
  const top: AlarmItem[] = [];
  const kids = new Map<string, AlarmItem[]>();
  const shownParent = (id: string) => {
    const p = all.get(id);
    return p !== undefined && matches(p, filter);
  };
  for (const a of all.values()) {
    if (a.parentId !== null && shownParent(a.parentId)) {
      const list = kids.get(a.parentId);
      if (list) list.push(a);
      else kids.set(a.parentId, [a]);
    } else if (matches(a, filter)) top.push(a);
  }
  top.sort(compareAlarms);
  const rows: AlarmRow[] = [];
  for (const a of top) {
    const children = kids.get(a.id) ?? [];
    const open = children.length > 0 && expanded.has(a.id);
    rows.push({ item: a, depth: 0, children: children.length, expanded: open });
    if (open)
      for (const c of children.filter((c) => matches(c, filter)).sort(compareAlarms))
        rows.push({ item: c, depth: 1, children: 0, expanded: false });
  }
  return rows;
}

/** Watched unacknowledged alarms: the KPI tile, the tab title. */
export function unackedCount(all: Iterable<AlarmItem>): number {
  let n = 0;
  for (const a of all) if (isWatched(a) && isUnacked(a)) n++;
  return n;
}

/** Watched unacknowledged alarms by priority. */
export function unackedByPriority(all: Iterable<AlarmItem>): Record<AlarmPriority, number> {
  const out: Record<AlarmPriority, number> = { 1: 0, 2: 0, 3: 0, 4: 0 };
  for (const a of all) if (isWatched(a) && isUnacked(a)) out[a.priority]++;
  return out;
}

export interface BannerAlarm {
  item: AlarmItem;
  /** flashes only while unacknowledged (ISA-101) */
  unacked: boolean;
  /** other watched unacknowledged alarms */
  others: number;
}

/**
 * What the banner shows: the most urgent watched unacknowledged alarm (a flood parent before its
 * children, then the newest); when every alarm is acknowledged, the most urgent one still active,
 * steady. Nothing when no alarm is watched.
 */
export function bannerAlarm(all: ReadonlyMap<string, AlarmItem>): BannerAlarm | null {
  let best: AlarmItem | null = null;
  let bestAcked: AlarmItem | null = null;
  let unacked = 0;
  const isChild = (a: AlarmItem) => (a.parentId !== null && all.has(a.parentId) ? 1 : 0);
  const rank = (a: AlarmItem, b: AlarmItem) =>
    a.priority - b.priority || isChild(a) - isChild(b) || compareAlarms(a, b);
  for (const a of all.values()) {
    if (!isWatched(a)) continue;
    if (isUnacked(a)) {
      unacked++;
      if (best === null || rank(a, best) < 0) best = a;
    } else if (a.state === 'ack_active' && isChild(a) === 0) {
      if (bestAcked === null || compareAlarms(a, bestAcked) < 0) bestAcked = a;
    }
  }
  if (best) return { item: best, unacked: true, others: unacked - 1 };
  if (bestAcked) return { item: bestAcked, unacked: false, others: 0 };
  return null;
}

/**
 * The ids one acknowledgement sends for `ids`: each one the state machine lets be acknowledged, and
 * for a flood parent its children that wait too (the group is answered as one).
 */
export function ackTargets(
  ids: Iterable<string>,
  all: ReadonlyMap<string, AlarmItem>,
  now: number,
): string[] {
  const picked = new Set(ids);
  const parents = new Set<string>();
  for (const id of picked) if ((all.get(id)?.childCount ?? 0) > 0) parents.add(id);
  const out: string[] = [];
  const take = (a: AlarmItem) => {
    if (alarmActionsFor(a, now).includes('acknowledge')) out.push(a.id);
  };
  for (const a of all.values()) {
    if (picked.has(a.id)) take(a);
    else if (a.parentId !== null && parents.has(a.parentId)) take(a);
  }
  return out;
}

/** Timed shelving choices, in minutes (EEMUA 191: a shift at most, 8 h). */
export const SHELVE_MINUTES = [15, 30, 60, 120, 240, 480] as const;
