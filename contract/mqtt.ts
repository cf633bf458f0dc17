import { z } from 'zod';
import { text, token } from './text.ts';
import { CAMERA_EVENT_KINDS, INCIDENT_CATEGORIES } from './vocab.ts';

/** `ts` is ISO-8601 with an offset, or epoch milliseconds; decoded to epoch ms. */
export const Timestamp = z.union([
  z.number().int().min(0).max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

// strings free of control characters (a NUL once failed every write behind it): see text.ts
const MessageId = token(64);
const AssetRef = token(64);

export const TrafficReadingSchema = z.looseObject({
  ts: Timestamp,
  speedKmh: z.number().min(0).max(250),
  volume: z.number().int().min(0).max(2_147_483_647).optional(),
  occupancy: z.number().min(0).max(1).optional(),
  segmentId: AssetRef.optional(),
  id: MessageId.optional(),
});
export type TrafficReadingPayload = z.input<typeof TrafficReadingSchema>;

export const CameraStatusSchema = z.looseObject({
  ts: Timestamp,
  online: z.boolean(),
  fps: z.number().min(0).max(1000).optional(),
  bitrateKbps: z.number().min(0).max(1e9).optional(),
  cameraId: AssetRef.optional(),
  id: MessageId.optional(),
});
export type CameraStatusPayload = z.input<typeof CameraStatusSchema>;

export const CameraEventSchema = z.looseObject({
  ts: Timestamp,
  kind: z.enum(CAMERA_EVENT_KINDS),
  confidence: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).max(2_147_483_647).optional(),
  snapshotUrl: token(2048).optional(),
  cameraId: AssetRef.optional(),
  id: MessageId.optional(),
});
export type CameraEventPayload = z.input<typeof CameraEventSchema>;

export const IncidentReportSchema = z.looseObject({
  ts: Timestamp,
  category: z.enum(INCIDENT_CATEGORIES),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  description: text(4000).optional(),
  severity: z.number().int().min(1).max(5).optional(),
  reporter: text(200).optional(),
  photoUrl: token(2048).optional(),
  id: MessageId.optional(),
});
export type IncidentReportPayload = z.input<typeof IncidentReportSchema>;

/** A topic of the contract, decoded. */
export type ParsedTopic =
  | { kind: 'traffic'; assetId: string }
  | { kind: 'camera_status'; assetId: string }
  | { kind: 'camera_event'; assetId: string }
  | { kind: 'incident_report' }
  /** a value or event of the indicator feed (contract v1.5, issue 14): payload in indicators.ts */
  | { kind: 'indicator'; indicatorId: string }
  /** a SIEM event (contract v1.7, issue 15): Wazuh's alert JSON, payload in security.ts */
  | { kind: 'security_event' }
  /** a patrol or field unit's position (contract v1.7, issue 15): payload in units.ts */
  | { kind: 'unit_position'; assetId: string };

export type TopicKind = ParsedTopic['kind'];
export const TOPIC_KINDS: readonly TopicKind[] = [
  'traffic',
  'camera_status',
  'camera_event',
  'incident_report',
  'indicator',
  'security_event',
  'unit_position',
];

/** The topic filter ingest subscribes to. */
export const INGEST_TOPIC_FILTER = 'ioc/#';

export const topics = {
  traffic: (segmentId: string) => `ioc/traffic/${segmentId}`,
  cameraStatus: (cameraId: string) => `ioc/camera/${cameraId}/status`,
  cameraEvent: (cameraId: string) => `ioc/camera/${cameraId}/event`,
  incidentReport: () => 'ioc/incident/report',
  /** `ioc/kpi/{indicatorId}`: a value or event of an indicator of the catalogue */
  kpi: (indicatorId: string) => `ioc/kpi/${indicatorId}`,
  /** `ioc/security/event`: a SIEM event (Wazuh's alert JSON) */
  securityEvent: () => 'ioc/security/event',
  /** `ioc/unit/{unitId}/position`: where a patrol or field unit is (at most every 10 s) */
  unitPosition: (unitId: string) => `ioc/unit/${unitId}/position`,
} as const;

/** Decodes a topic name of the contract; undefined for any other topic. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const p = topic.split('/');
  if (p[0] !== 'ioc') return undefined;
  if (p.length === 3 && p[1] === 'traffic' && p[2]) return { kind: 'traffic', assetId: p[2] };
  if (p.length === 4 && p[1] === 'camera' && p[2]) {
    if (p[3] === 'status') return { kind: 'camera_status', assetId: p[2] };
    if (p[3] === 'event') return { kind: 'camera_event', assetId: p[2] };
  }
  if (p.length === 3 && p[1] === 'incident' && p[2] === 'report') return { kind: 'incident_report' };
  if (p.length === 3 && p[1] === 'kpi' && p[2]) return { kind: 'indicator', indicatorId: p[2] };
  if (p.length === 3 && p[1] === 'security' && p[2] === 'event') return { kind: 'security_event' };
  if (p.length === 4 && p[1] === 'unit' && p[2] && p[3] === 'position')
    return { kind: 'unit_position', assetId: p[2] };
  return undefined;
}
