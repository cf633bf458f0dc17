import type { DossierChannel, IndicatorValueKind, Sentiment } from '#contract/indicatorVocab.ts';
import type { IncidentSource } from '#contract/live.ts';
import type { SeverityBand } from '#contract/securityVocab.ts';
import type { CameraEventKind, IncidentCategory, RejectReason } from '#contract/vocab.ts';

/** Decoded, validated messages as ingest hands them to the store and the bus. Times are epoch ms. */
export interface TrafficRecord {
  time: number;
  segmentId: string;
  speedKmh: number;
  volume: number | null;
  occupancy: number | null;
  msgId: string | null;
}

export interface CameraStatusRecord {
  time: number;
  cameraId: string;
  online: boolean;
  fps: number | null;
  bitrateKbps: number | null;
  msgId: string | null;
}

export interface CameraEventRecord {
  time: number;
  cameraId: string;
  kind: CameraEventKind;
  confidence: number | null;
  count: number | null;
  snapshotUrl: string | null;
  msgId: string | null;
}

export interface IncidentReportRecord {
  time: number;
  category: IncidentCategory;
  lat: number;
  lon: number;
  description: string | null;
  severity: number;
  reporter: string | null;
  photoUrl: string | null;
  msgId: string | null;
  source: IncidentSource;
  /** the camera whose event raised it, if any */
  cameraId?: string | null;
  /** what that camera detected (the console words it; no description is stored then) */
  detection?: { kind: CameraEventKind; confidence: number | null } | null;
}

/** How a value of the indicator feed came in. */
export type IndicatorVia = 'mqtt' | 'http' | 'csv';

/** A value or event of the indicator feed (contract v1.4), decoded against the catalogue. */
export interface IndicatorRecord {
  /** events: their time; figures: the local start of their period */
  time: number;
  indicatorId: string;
  value: number;
  wardId: string | null;
  agencyId: string | null;
  topic: string | null;
  source: string | null;
  sentiment: Sentiment | null;
  channel: DossierChannel | null;
  /** a figure (one per period, place and breakdown: sent again, it replaces) rather than an event */
  figure: boolean;
  /**
   * `plan`: the year's target (contract v1.6), stored in indicator_plans, not indicator_values; `time` is the
   * year's local start, `value` the target, no place or breakdown
   */
  kind: IndicatorValueKind;
  /** events: the message id (null: never deduplicated); figures: place and breakdown */
  dedupeKey: string | null;
  msgId: string | null;
  via: IndicatorVia;
  /** the HTTP source, the importing admin; null over MQTT */
  sender: string | null;
  /** counted from another message (a SIEM event), not sent as a value: not a message of its own */
  derived?: true;
}

/** A SIEM event (contract v1.7, issue 15), decoded from Wazuh's alert JSON. */
export interface SecurityEventRecord {
  time: number;
  level: number;
  band: SeverityBand;
  ruleId: string | null;
  description: string;
  groups: string[];
  agent: string;
  agentIp: string | null;
  srcIp: string | null;
  blocked: boolean;
  /** Wazuh's alert id: a re-sent alert is stored once */
  msgId: string | null;
  via: IndicatorVia;
  sender: string | null;
}

/** A patrol or field unit's position (contract v1.7, issue 15). */
export interface UnitPositionRecord {
  time: number;
  unitId: string;
  lat: number;
  lon: number;
  accuracyM: number | null;
  headingDeg: number | null;
  speedKmh: number | null;
  msgId: string | null;
}

export interface RejectRecord {
  time: number;
  topic: string;
  reason: RejectReason;
  detail: string;
  /** the payload as received, truncated */
  payload: string;
}

/** One flush of ingest: everything decoded since the previous flush. */
export interface IngestBatch {
  traffic: TrafficRecord[];
  cameraStatus: CameraStatusRecord[];
  cameraEvents: CameraEventRecord[];
  incidents: IncidentReportRecord[];
  indicators: IndicatorRecord[];
  securityEvents: SecurityEventRecord[];
  unitPositions: UnitPositionRecord[];
}

export function emptyBatch(): IngestBatch {
  return {
    traffic: [],
    cameraStatus: [],
    cameraEvents: [],
    incidents: [],
    indicators: [],
    securityEvents: [],
    unitPositions: [],
  };
}

export function batchSize(b: IngestBatch): number {
  return (
    b.traffic.length +
    b.cameraStatus.length +
    b.cameraEvents.length +
    b.incidents.length +
    b.indicators.length +
    b.securityEvents.length +
    b.unitPositions.length
  );
}
