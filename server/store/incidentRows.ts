import type { IncidentItem, IncidentSource } from '#contract/live.ts';
import type { CameraEventKind, IncidentCategory, IncidentState } from '#contract/vocab.ts';

/** The select list that `toIncidentItem` reads, for `incidents` (or a CTE/alias shaped like it). */
export const INCIDENT_COLUMNS = `id::text AS id, (extract(epoch FROM created_at) * 1000)::float8 AS ts,
  (extract(epoch FROM updated_at) * 1000)::float8 AS updated_at, category, severity::int AS severity, status,
  lat, lon, description, photo_url, reporter, source, assignee, camera_id, detection_kind,
  detection_confidence`;

export interface IncidentRow {
  id: string;
  ts: number;
  updated_at: number;
  category: string;
  severity: number;
  status: string;
  lat: number;
  lon: number;
  description: string | null;
  photo_url: string | null;
  reporter: string | null;
  source: string;
  assignee: string | null;
  camera_id: string | null;
  detection_kind: string | null;
  detection_confidence: number | null;
}

/** A row selected with INCIDENT_COLUMNS as the live layer's item; absent optional fields are left out. */
export function toIncidentItem(r: IncidentRow): IncidentItem {
  const item: IncidentItem = {
    id: r.id,
    ts: r.ts,
    updatedAt: r.updated_at,
    category: r.category as IncidentCategory,
    severity: r.severity,
    status: r.status as IncidentState,
    lat: r.lat,
    lon: r.lon,
    source: r.source as IncidentSource,
  };
  if (r.description !== null) item.description = r.description;
  if (r.photo_url !== null) item.photoUrl = r.photo_url;
  if (r.reporter !== null) item.reporter = r.reporter;
  if (r.assignee !== null) item.assignee = r.assignee;
  if (r.camera_id !== null && r.detection_kind !== null) {
    item.detection = { cameraId: r.camera_id, event: r.detection_kind as CameraEventKind };
    if (r.detection_confidence !== null) item.detection.confidence = r.detection_confidence;
  }
  return item;
}
