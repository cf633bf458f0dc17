import type { AlarmItem } from './alarms.ts';
import type { MyReportView } from './incidentsApi.ts';
import type { FieldTask, UnitItem } from './units.ts';
import type { CameraEventKind, IncidentCategory, IncidentState, LayerName } from './vocab.ts';

/** Speed relative to the limit, as the console colours a segment. `unknown`: no recent reading. */
export type SpeedLevel = 'free' | 'slow' | 'heavy' | 'jam' | 'unknown';

/** Latest state of a road segment. */
export interface TrafficItem {
  id: string;
  ts: number;
  speedKmh: number;
  volume?: number;
  occupancy?: number;
  level: SpeedLevel;
}

/** Latest state of a camera. */
export interface CameraItem {
  id: string;
  /** time of the latest status report */
  ts: number;
  online: boolean;
  fps?: number;
  bitrateKbps?: number;
  lastEvent?: {
    kind: CameraEventKind;
    ts: number;
    confidence?: number;
    count?: number;
    snapshotUrl?: string;
  };
  /**
   * The latest people count (a `crowd` event with a `count`, v1.6): kept apart from `lastEvent`, which
   * the minutely vehicle counts replace. The console's hotspot layer; see contract/hotspots.ts.
   */
  crowd?: { count: number; ts: number };
}

export type IncidentSource = 'mqtt' | 'field' | 'open311' | 'camera';

/** Current state of an incident. */
export interface IncidentItem {
  id: string;
  /** when it was reported */
  ts: number;
  updatedAt: number;
  category: IncidentCategory;
  severity: number;
  status: IncidentState;
  lat: number;
  lon: number;
  description?: string;
  photoUrl?: string;
  reporter?: string;
  source: IncidentSource;
  assignee?: string;
  /**
   * The camera detection that opened it (`source: "camera"`, v1.4): the console words it in the
   * reader's language; such an incident carries no description from the server.
   */
  detection?: IncidentDetection;
}

/** A camera's detection behind an incident. */
export interface IncidentDetection {
  cameraId: string;
  event: CameraEventKind;
  /** 0–1, when the camera sent one */
  confidence?: number;
}

export type AlertKind = 'congestion' | 'camera_offline' | 'camera_event' | 'incident';

/**
 * An alert's title as a code and its parameters (v1.4): the client renders it in the reader's
 * language, never a sentence from the server. The code is the alert's kind; names of assets are
 * proper names and travel as they are.
 */
export type AlertTitle =
  | { code: 'congestion'; params: { segment: string; speedKmh: number } }
  | { code: 'camera_offline'; params: { camera: string } }
  | { code: 'camera_event'; params: { camera: string; event: CameraEventKind } }
  | { code: 'incident'; params: { category: IncidentCategory; severity: number } };

/** An alert pushed to operators. */
export interface AlertItem {
  id: string;
  ts: number;
  kind: AlertKind;
  severity: number;
  title: AlertTitle;
  assetId?: string;
  lat?: number;
  lon?: number;
}

export interface LayerItems {
  traffic: TrafficItem;
  cameras: CameraItem;
  incidents: IncidentItem;
  alerts: AlertItem;
  /** alarms not in `normal` (issue 13); a delta's item in `normal` has left the list */
  alarms: AlarmItem;
  /** patrol and field units on duty (issue 15) */
  units: UnitItem;
}

export type Snapshot = { [L in LayerName]?: LayerItems[L][] };

export type BBox = [west: number, south: number, east: number, north: number];

export interface SubscribeRequest {
  layers: LayerName[];
  bbox?: BBox;
  /**
   * (v1.8) Per layer, the `ts` of the last delta applied (or the `serverTime` of the snapshot): the
   * server answers with the changes since then in `changes` instead of a whole layer in `snapshot`,
   * when its own history reaches back that far; on any instance, as `ts` is the servers' clock.
   */
  resume?: { [L in LayerName]?: number };
}

export type SubscribeAck =
  | {
      ok: true;
      /** the whole layer, for each layer asked for and not resumed */
      snapshot: Snapshot;
      /** (v1.8) for each resumed layer: the items changed since its `resume` time, latest state per id, to merge */
      changes?: Snapshot;
      seq: { [L in LayerName]?: number };
      serverTime: number;
    }
  | { ok: false; error: { code: string; message: string } };

export interface Delta<L extends LayerName = LayerName> {
  layer: L;
  seq: number;
  ts: number;
  items: LayerItems[L][];
}

/** Pushed every few seconds: figures for the KPI tiles that the layers do not carry. */
export interface LiveStats {
  ts: number;
  /** messages stored per second over the last interval */
  ingestRate: number;
  /** messages rejected per second over the last interval */
  rejectRate: number;
  liveClients: number;
}

export interface ServerToClientEvents {
  delta: (d: Delta) => void;
  alert: (a: AlertItem) => void;
  stats: (s: LiveStats) => void;
  /** the login behind this connection ended (logout, account disabled, timeout); the server disconnects next */
  session_ended: (e: { code: 'unauthenticated'; reason: string }) => void;
  /**
   * One of the connected account's own field reports changed (status, an operator's note; v1.6): sent
   * to every connection of the account that filed it, without a subscription. The phone's "my reports".
   */
  'report:changed': (r: MyReportView) => void;
  /** to a unit's field account: one of its tasks was assigned or changed (issue 15) */
  'task:changed': (t: FieldTask) => void;
}

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
}

/** Speed level of a reading given the segment's limit (shared so server and console agree). */
export function speedLevel(speedKmh: number, limitKmh: number): SpeedLevel {
  const r = limitKmh > 0 ? speedKmh / limitKmh : 1;
  if (r >= 0.7) return 'free';
  if (r >= 0.5) return 'slow';
  if (r >= 0.3) return 'heavy';
  return 'jam';
}
