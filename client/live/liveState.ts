import type { AlarmItem } from '#contract/alarmVocab.ts';
import type {
  AlertItem,
  CameraItem,
  Delta,
  IncidentItem,
  LayerItems,
  Snapshot,
  TrafficItem,
} from '#contract/live.ts';
import type { UnitItem } from '#contract/units.ts';
import type { LayerName } from '#contract/vocab.ts';

/** One line of the event feed. */
export type FeedEntry =
  | { key: string; ts: number; type: 'incident'; item: IncidentItem }
  | { key: string; ts: number; type: 'camera'; cameraId: string; event: NonNullable<CameraItem['lastEvent']> }
  | { key: string; ts: number; type: 'alert'; item: AlertItem };

export const FEED_MAX = 60;

/** What `LiveState.save` copies. */
export type SavedState = { [L in LayerName]: Map<string, LayerItems[L]> } & { feed: FeedEntry[] };
/** Camera events that are measurements, not something an operator must look at. */
const QUIET_EVENTS = new Set(['vehicle_count']);

/**
 * The latest state of every live item, in Maps keyed by id and mutated in place,
 * with a version per layer that the map layers use as their update trigger.
 */
export class LiveState {
  readonly traffic = new Map<string, TrafficItem>();
  readonly cameras = new Map<string, CameraItem>();
  readonly incidents = new Map<string, IncidentItem>();
  readonly alerts = new Map<string, AlertItem>();
  readonly alarms = new Map<string, AlarmItem>();
  readonly units = new Map<string, UnitItem>();
  readonly version: Record<LayerName, number> = {
    traffic: 0,
    cameras: 0,
    incidents: 0,
    alerts: 0,
    alarms: 0,
    units: 0,
  };
  /** newest first */
  feed: FeedEntry[] = [];
  feedVersion = 0;
  private readonly listeners = new Set<(layer: LayerName) => void>();

  /** Called after every change with the layer that changed. */
  onChange(fn: (layer: LayerName) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A copy of every layer and the feed, to put back with `restore` (a replay borrows the state). */
  save(): SavedState {
    return {
      traffic: new Map(this.traffic),
      cameras: new Map(this.cameras),
      incidents: new Map(this.incidents),
      alerts: new Map(this.alerts),
      alarms: new Map(this.alarms),
      units: new Map(this.units),
      feed: [...this.feed],
    };
  }

  /** Puts back what `save` copied; every layer changes. */
  restore(s: SavedState): void {
    for (const layer of Object.keys(this.version) as LayerName[]) {
      const map = this.mapOf(layer);
      map.clear();
      for (const [k, v] of s[layer]) map.set(k, v as never);
      this.version[layer]++;
    }
    this.feed = [...s.feed];
    this.feedVersion++;
    for (const layer of Object.keys(this.version) as LayerName[]) this.emit(layer);
  }

  /** Replaces the layers the snapshot carries: items gone from the server are gone here too. */
  applySnapshot(snapshot: Snapshot): void {
    for (const layer of Object.keys(snapshot) as LayerName[]) {
      const items = snapshot[layer] ?? [];
      const map = this.mapOf(layer);
      map.clear();
      for (const it of items) map.set(it.id, it as never);
      this.version[layer]++;
      this.emit(layer);
    }
    this.seedFeed();
  }

  /** Merges a delta's items (latest state per id) and records what is new for the feed. */
  applyDelta(delta: Delta): void {
    const map = this.mapOf(delta.layer);
    let fed = false;
    for (const it of delta.items as LayerItems[LayerName][]) {
      const prev = map.get(it.id);
      if (delta.layer === 'incidents' && !prev) fed = this.pushFeed(incidentEntry(it as IncidentItem)) || fed;
      if (delta.layer === 'cameras') {
        const ev = (it as CameraItem).lastEvent;
        const before = (prev as CameraItem | undefined)?.lastEvent;
        if (ev && !QUIET_EVENTS.has(ev.kind) && (!before || ev.ts > before.ts)) {
          fed = this.pushFeed(cameraEntry(it.id, ev)) || fed;
        }
      }
      if (delta.layer === 'alerts' && !prev && feedsAlert(it as AlertItem))
        fed = this.pushFeed(alertEntry(it as AlertItem)) || fed;
      // a road's reading never goes back: with several instances, one may send its own older reading
      // after another instance's newer one reached this console through the adapter
      if (delta.layer === 'traffic' && prev && (it as TrafficItem).ts < (prev as TrafficItem).ts) continue;
      if (delta.layer === 'alarms') {
        const a = it as AlarmItem;
        // an answer to an action may arrive before an older delta of the same alarm: keep the newest
        if (prev && (prev as AlarmItem).version > a.version) continue;
        // back to normal: the alarm has left the list (contract v1.3)
        if (a.state === 'normal') {
          map.delete(a.id);
          continue;
        }
      }
      map.set(it.id, it as never);
    }
    this.version[delta.layer]++;
    if (fed) this.feedVersion++;
    this.emit(delta.layer);
  }

  /** Alarms the API answered with (an action's result): applied like a delta of the `alarms` layer. */
  applyAlarms(items: AlarmItem[]): void {
    this.applyDelta({ layer: 'alarms', seq: 0, ts: Date.now(), items });
  }

  /** An alert pushed outside the layer deltas. */
  applyAlert(a: AlertItem): void {
    const isNew = !this.alerts.has(a.id);
    this.alerts.set(a.id, a);
    this.version.alerts++;
    if (isNew && feedsAlert(a) && this.pushFeed(alertEntry(a))) this.feedVersion++;
    this.emit('alerts');
  }

  private mapOf(layer: LayerName): Map<string, LayerItems[LayerName]> {
    return this[layer] as Map<string, LayerItems[LayerName]>;
  }

  private emit(layer: LayerName): void {
    for (const fn of this.listeners) fn(layer);
  }

  /** After a (re)snapshot the feed is rebuilt from what the server says is recent. */
  private seedFeed(): void {
    const entries: FeedEntry[] = [];
    for (const i of this.incidents.values()) entries.push(incidentEntry(i));
    for (const c of this.cameras.values()) {
      if (c.lastEvent && !QUIET_EVENTS.has(c.lastEvent.kind)) entries.push(cameraEntry(c.id, c.lastEvent));
    }
    for (const a of this.alerts.values()) if (feedsAlert(a)) entries.push(alertEntry(a));
    entries.sort((a, b) => b.ts - a.ts);
    this.feed = entries.slice(0, FEED_MAX);
    this.feedVersion++;
  }

  private pushFeed(e: FeedEntry): boolean {
    if (this.feed.some((x) => x.key === e.key)) return false;
    // keep newest first even when events arrive slightly out of order
    let i = 0;
    while (i < this.feed.length && this.feed[i].ts > e.ts) i++;
    this.feed.splice(i, 0, e);
    if (this.feed.length > FEED_MAX) this.feed.length = FEED_MAX;
    return true;
  }
}

function incidentEntry(item: IncidentItem): FeedEntry {
  return { key: `i:${item.id}`, ts: item.ts, type: 'incident', item };
}
function cameraEntry(cameraId: string, event: NonNullable<CameraItem['lastEvent']>): FeedEntry {
  return { key: `c:${cameraId}:${event.ts}`, ts: event.ts, type: 'camera', cameraId, event };
}
function alertEntry(item: AlertItem): FeedEntry {
  return { key: `a:${item.id}`, ts: item.ts, type: 'alert', item };
}

/** Incidents and camera events have their own feed lines; only other alerts are fed as alerts. */
function feedsAlert(a: AlertItem): boolean {
  return a.kind === 'congestion' || a.kind === 'camera_offline';
}
