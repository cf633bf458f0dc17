import type { z } from 'zod';
import {
  CameraEventSchema,
  CameraStatusSchema,
  IncidentReportSchema,
  type ParsedTopic,
  parseTopic,
  TrafficReadingSchema,
} from '#contract/mqtt.ts';
import { MAX_PAYLOAD_BYTES, type RejectReason } from '#contract/vocab.ts';
import { type AssetIndex, inArea } from '../domain/assetIndex.ts';
import type {
  CameraEventRecord,
  CameraStatusRecord,
  IncidentReportRecord,
  TrafficRecord,
} from '../domain/records.ts';

export type Decoded =
  | { ok: true; kind: 'traffic'; record: TrafficRecord }
  | { ok: true; kind: 'camera_status'; record: CameraStatusRecord }
  | { ok: true; kind: 'camera_event'; record: CameraEventRecord; incident?: IncidentReportRecord }
  | { ok: true; kind: 'incident_report'; record: IncidentReportRecord }
  | { ok: false; reason: RejectReason; detail: string };

/** Camera detections that open an incident, and the category they open it as. */
const CAMERA_INCIDENTS = { accident: 'traffic_accident', fire: 'fire', flood: 'flooding' } as const;
const CAMERA_INCIDENT_MIN_CONFIDENCE = 0.6;

const reject = (reason: RejectReason, detail: string): Decoded => ({ ok: false, reason, detail });

/** The window of `ts` that ingest takes: a bounded clock skew ahead, a bounded age behind. */
export interface TimeWindow {
  /** the server's clock, epoch ms */
  now: number;
  /** how far ahead of `now` a device's clock may be (a reading from the future would pin the live map) */
  aheadMs: number;
  /** how old a message may be (late data within it is stored in its place; live state never goes back) */
  ageMs: number;
}

export const DEFAULT_MAX_AHEAD_MS = 60_000;
export const DEFAULT_MAX_AGE_MS = 30 * 86_400_000;

const iso = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);

/** A reject when `ts` is outside the window, else undefined. */
function outsideWindow(ts: number, w: TimeWindow): Decoded | undefined {
  if (ts > w.now + w.aheadMs)
    return reject(
      'future_ts',
      `ts ${iso(ts)} is ${Math.round((ts - w.now) / 1000)} s ahead of the server's clock (at most ${w.aheadMs / 1000} s)`,
    );
  if (ts < w.now - w.ageMs)
    return reject('too_old', `ts ${iso(ts)} is older than ${Math.round(w.ageMs / 86_400_000)} days`);
  return undefined;
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
    .join('; ');
}

/**
 * Decodes and validates one MQTT message against the contract, the city's assets and the time window.
 * Pure: the same topic, bytes, assets and window give the same answer.
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array | string,
  assets: AssetIndex,
  window: TimeWindow = { now: Date.now(), aheadMs: DEFAULT_MAX_AHEAD_MS, ageMs: DEFAULT_MAX_AGE_MS },
): Decoded {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES)
    return reject('oversized', `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const t = parseTopic(topic);
  if (!t) return reject('unknown_topic', `topic ${topic} is not part of the contract`);
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (err) {
    return reject('bad_json', (err as Error).message);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject(
      'not_object',
      `payload must be a JSON object, got ${Array.isArray(json) ? 'array' : typeof json}`,
    );
  }
  const d = decodeObject(t, json, assets);
  return (d.ok && outsideWindow(d.record.time, window)) || d;
}

function decodeObject(t: ParsedTopic, json: object, assets: AssetIndex): Decoded {
  switch (t.kind) {
    case 'traffic': {
      const r = TrafficReadingSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.segmentId !== undefined && p.segmentId !== t.assetId)
        return reject('asset_mismatch', `payload names segment ${p.segmentId}, topic names ${t.assetId}`);
      if (!assets.segments.has(t.assetId))
        return reject('unknown_asset', `segment ${t.assetId} is not registered`);
      return {
        ok: true,
        kind: 'traffic',
        record: {
          time: p.ts,
          segmentId: t.assetId,
          speedKmh: p.speedKmh,
          volume: p.volume ?? null,
          occupancy: p.occupancy ?? null,
          msgId: p.id ?? null,
        },
      };
    }
    case 'camera_status': {
      const r = CameraStatusSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.cameraId !== undefined && p.cameraId !== t.assetId)
        return reject('asset_mismatch', `payload names camera ${p.cameraId}, topic names ${t.assetId}`);
      if (!assets.cameras.has(t.assetId))
        return reject('unknown_asset', `camera ${t.assetId} is not registered`);
      return {
        ok: true,
        kind: 'camera_status',
        record: {
          time: p.ts,
          cameraId: t.assetId,
          online: p.online,
          fps: p.fps ?? null,
          bitrateKbps: p.bitrateKbps ?? null,
          msgId: p.id ?? null,
        },
      };
    }
    case 'camera_event': {
      const r = CameraEventSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.cameraId !== undefined && p.cameraId !== t.assetId)
        return reject('asset_mismatch', `payload names camera ${p.cameraId}, topic names ${t.assetId}`);
      const cam = assets.cameras.get(t.assetId);
      if (!cam) return reject('unknown_asset', `camera ${t.assetId} is not registered`);
      const record: CameraEventRecord = {
        time: p.ts,
        cameraId: t.assetId,
        kind: p.kind,
        confidence: p.confidence ?? null,
        count: p.count ?? null,
        snapshotUrl: p.snapshotUrl ?? null,
        msgId: p.id ?? null,
      };
      const category = CAMERA_INCIDENTS[p.kind as keyof typeof CAMERA_INCIDENTS];
      const incident: IncidentReportRecord | undefined =
        category && (p.confidence ?? 1) >= CAMERA_INCIDENT_MIN_CONFIDENCE
          ? {
              time: p.ts,
              category,
              lat: cam.lat,
              lon: cam.lon,
              // no sentence: the console words the detection in the reader's language
              description: null,
              severity: p.kind === 'accident' ? 3 : 4,
              reporter: t.assetId,
              photoUrl: p.snapshotUrl ?? null,
              msgId: p.id ? `cam:${p.id}` : null,
              source: 'camera',
              cameraId: t.assetId,
              detection: { kind: p.kind, confidence: p.confidence ?? null },
            }
          : undefined;
      return { ok: true, kind: 'camera_event', record, incident };
    }
    case 'incident_report': {
      const r = IncidentReportSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (!inArea(assets, p.lon, p.lat))
        return reject('out_of_area', `position ${p.lat},${p.lon} is outside the city`);
      return {
        ok: true,
        kind: 'incident_report',
        record: {
          time: p.ts,
          category: p.category,
          lat: p.lat,
          lon: p.lon,
          description: p.description ?? null,
          severity: p.severity ?? 3,
          reporter: p.reporter ?? null,
          photoUrl: p.photoUrl ?? null,
          msgId: p.id ?? null,
          source: 'mqtt',
        },
      };
    }
  }
}
