import type { AlarmItem, AlarmState } from '#contract/alarms.ts';
import { type CameraItem, type Delta, speedLevel, type TrafficItem } from '#contract/live.ts';
import { REPLAY_STEP_MS } from '#contract/replayApi.ts';
import type { LayerName } from '#contract/vocab.ts';

// The replay's pictures from stored rows (issue 16): pure functions of the rows, so the state at a
// moment and the changes after it are built the same way.

export interface TrafficRowLike {
  bucket: number;
  segmentId: string;
  avgSpeed: number;
  volume: number | null;
}

/** A 5-minute bucket as the traffic layer's item: stamped with the bucket's end, when its figure was whole. */
export function trafficItem(r: TrafficRowLike, limitKmh: number | undefined): TrafficItem {
  const item: TrafficItem = {
    id: r.segmentId,
    ts: r.bucket + REPLAY_STEP_MS,
    speedKmh: Math.round(r.avgSpeed * 10) / 10,
    level: limitKmh ? speedLevel(r.avgSpeed, limitKmh) : 'unknown',
  };
  if (r.volume !== null) item.volume = r.volume;
  return item;
}

export interface CameraStatusLike {
  time: number;
  cameraId: string;
  online: boolean;
  fps: number | null;
  bitrateKbps: number | null;
}
export interface CameraEventLike {
  time: number;
  cameraId: string;
  kind: NonNullable<CameraItem['lastEvent']>['kind'];
  confidence: number | null;
  count: number | null;
  snapshotUrl: string | null;
}

/** A camera's item from its newest status and newest event (either may be missing). */
export function cameraItem(
  id: string,
  status: CameraStatusLike | undefined,
  event: CameraEventLike | undefined,
): CameraItem | undefined {
  if (!status && !event) return undefined;
  const item: CameraItem = { id, ts: status?.time ?? event?.time ?? 0, online: status?.online ?? true };
  if (status?.fps != null) item.fps = status.fps;
  if (status?.bitrateKbps != null) item.bitrateKbps = status.bitrateKbps;
  if (event) {
    const ev: NonNullable<CameraItem['lastEvent']> = { kind: event.kind, ts: event.time };
    if (event.confidence !== null) ev.confidence = event.confidence;
    if (event.count !== null) ev.count = event.count;
    if (event.snapshotUrl !== null) ev.snapshotUrl = event.snapshotUrl;
    item.lastEvent = ev;
  }
  return item;
}

/**
 * The cameras' changes in a span: each report folded onto the camera's state at the span's start. A
 * status report that changes nothing drawn (online → online) is left out: the console would draw the
 * same, and a week of reports every few seconds would be most of the answer.
 */
export function cameraChanges(
  start: Map<string, { status?: CameraStatusLike; event?: CameraEventLike }>,
  status: CameraStatusLike[],
  events: CameraEventLike[],
): Delta<'cameras'>[] {
  type Step = { time: number; status?: CameraStatusLike; event?: CameraEventLike };
  const steps: Step[] = [
    ...status.map((s) => ({ time: s.time, status: s })),
    ...events.map((e) => ({ time: e.time, event: e })),
  ].sort((a, b) => a.time - b.time);
  const cur = new Map(start);
  const out: Delta<'cameras'>[] = [];
  for (const st of steps) {
    const id = (st.status ?? st.event)?.cameraId as string;
    const before = cur.get(id) ?? {};
    if (st.status && before.status && before.status.online === st.status.online) {
      cur.set(id, { ...before, status: st.status });
      continue;
    }
    const next = { status: st.status ?? before.status, event: st.event ?? before.event };
    cur.set(id, next);
    const item = cameraItem(id, next.status, next.event);
    if (item) pushChange(out, 'cameras', st.time, item);
  }
  return out;
}

export interface AlarmHistoryLike {
  alarmId: string;
  time: number;
  event: string;
  actor: string;
  toState: string;
  note: string | null;
}

/**
 * An alarm as it stood after the last of `history` (its entries oldest first, up to that moment): the
 * state, activation, acknowledgement, shelving and suppression the trail says; what the trail does not
 * keep (title, priority, place, flood parent) as the alarm is stored now. `version` counts the entries,
 * so a later picture of the alarm always has a higher one.
 */
export function alarmAsOf(now: AlarmItem, history: AlarmHistoryLike[]): AlarmItem {
  const a: AlarmItem = {
    ...now,
    state: 'normal',
    activatedAt: null,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    shelved: null,
    suppressed: null,
    activationCount: 0,
    childCount: 0,
  };
  for (const h of history) {
    const prev = a.state;
    a.state = h.toState as AlarmState;
    a.updatedAt = h.time;
    if (h.event === 'activate' && a.state === 'unack_active' && prev !== 'unack_active') {
      a.activatedAt = h.time;
      a.activationCount++;
      a.ackedAt = null;
      a.ackedBy = null;
    } else if (h.event === 'clear') a.clearedAt = h.time;
    else if (h.event === 'acknowledge') {
      a.ackedAt = h.time;
      a.ackedBy = h.actor;
    } else if (h.event === 'shelve')
      a.shelved = { by: h.actor, reason: h.note ?? '', at: h.time, until: null };
    else if (h.event === 'unshelve') a.shelved = null;
    else if (h.event === 'suppress') a.suppressed = { by: h.actor, reason: h.note ?? '', at: h.time };
    else if (h.event === 'unsuppress') a.suppressed = null;
  }
  a.version = history.length;
  return a;
}

/** Each alarm's picture after each of its entries in (from, to]. */
export function alarmChangesOf(
  alarms: AlarmItem[],
  history: AlarmHistoryLike[],
  from: number,
): Delta<'alarms'>[] {
  const byAlarm = new Map<string, AlarmHistoryLike[]>();
  for (const h of history) {
    const list = byAlarm.get(h.alarmId);
    if (list) list.push(h);
    else byAlarm.set(h.alarmId, [h]);
  }
  const steps: { time: number; item: AlarmItem }[] = [];
  for (const a of alarms) {
    const list = byAlarm.get(a.id) ?? [];
    for (let i = 0; i < list.length; i++) {
      if (list[i].time <= from) continue;
      steps.push({ time: list[i].time, item: alarmAsOf(a, list.slice(0, i + 1)) });
    }
  }
  steps.sort((x, y) => x.time - y.time);
  const out: Delta<'alarms'>[] = [];
  for (const s of steps) pushChange(out, 'alarms', s.time, s.item);
  return out;
}

/** Appends an item to the last delta when it is of the same layer and moment, else a new delta (seq 0: not live). */
export function pushChange<L extends LayerName>(
  out: Delta<L>[],
  layer: L,
  ts: number,
  item: Delta<L>['items'][number],
): void {
  const last = out.at(-1);
  if (last && last.ts === ts && last.layer === layer) {
    // a later picture of the same item at the same moment replaces the earlier one
    const i = last.items.findIndex((x) => x.id === item.id);
    if (i >= 0) last.items[i] = item;
    else last.items.push(item);
  } else out.push({ layer, seq: 0, ts, items: [item] });
}

/** Several layers' changes as one list, oldest first (traffic before the others at the same moment). */
export function mergeChanges(...lists: Delta[][]): Delta[] {
  return lists.flat().sort((a, b) => a.ts - b.ts);
}
