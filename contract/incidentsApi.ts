import type { IncidentItem } from './live.ts';
import type { IncidentCategory, IncidentState } from './vocab.ts';

/** Lifecycle actions of `PATCH /api/incidents/{id}`. */
export const INCIDENT_ACTIONS = ['acknowledge', 'assign', 'resolve', 'close', 'reopen'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** Photo limits of `POST /api/reports`. */
export const MAX_PHOTOS = 5;
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_DESCRIPTION_CHARS = 4000;
export const MAX_NOTE_CHARS = 2000;

/** The human report number of an incident id ("PA" = phản ánh), the same for every source. */
export function incidentNumber(id: string | number): string {
  return `PA-${String(id).padStart(6, '0')}`;
}

/** Vietnamese and English names of the categories (Open311 service_name / description). */
export const CATEGORY_NAMES: Record<IncidentCategory, { vi: string; en: string; group: string }> = {
  traffic_accident: { vi: 'Tai nạn giao thông', en: 'Traffic accident', group: 'Giao thông' },
  traffic_jam: { vi: 'Ùn tắc giao thông', en: 'Traffic congestion', group: 'Giao thông' },
  flooding: { vi: 'Ngập úng', en: 'Flooding', group: 'Thiên tai, sự cố' },
  fire: { vi: 'Cháy, nổ', en: 'Fire or explosion', group: 'Thiên tai, sự cố' },
  public_order: { vi: 'Trật tự đô thị', en: 'Public order (street vending, encroachment)', group: 'Đô thị' },
  environment: { vi: 'Ô nhiễm môi trường', en: 'Environmental pollution', group: 'Môi trường' },
  infrastructure: {
    vi: 'Hạ tầng (đường, cầu, vỉa hè)',
    en: 'Infrastructure (roads, bridges, pavements)',
    group: 'Đô thị',
  },
  lighting: { vi: 'Chiếu sáng công cộng', en: 'Street lighting', group: 'Đô thị' },
  waste: { vi: 'Rác thải', en: 'Waste and litter', group: 'Môi trường' },
  other: { vi: 'Khác', en: 'Other', group: 'Khác' },
};

export interface PhotoRef {
  id: string;
  /** `/api/photos/{id}` */
  url: string;
  /** `/api/photos/{id}/thumb` (320 px) */
  thumbUrl: string;
}

/** Why one uploaded photo was not kept; the report itself is. */
export interface RejectedPhoto {
  /** the file name the client sent */
  name: string;
  code:
    | 'unsupported_photo_type'
    | 'photo_too_large'
    | 'unreadable_photo'
    | 'too_many_photos'
    | 'unexpected_file';
  message: string;
}

/** Answer of `POST /api/reports`: 201 when created, 200 with `duplicate: true` when this `id` was already stored. */
export interface ReportCreated {
  id: string;
  number: string;
  status: IncidentState;
  duplicate: boolean;
  photos: PhotoRef[];
  rejectedPhotos: RejectedPhoto[];
}

/** One item of `GET /api/reports/status?ids=`. */
export interface ReportStatus {
  /** the id the phone made */
  clientId: string;
  id: string;
  number: string;
  status: IncidentState;
  updatedAt: number;
  /** set when an operator merged this report into another incident */
  mergedInto?: { id: string; number: string };
}

/** What an operator told the reporter: a note left with a step (or alone), or a step itself. */
export interface ReportUpdate {
  time: number;
  /** the lifecycle action, `note` (a note without a step), or `merged` (into another incident) */
  action: string;
  /** the state the step led to; null for a note */
  toStatus: IncidentState | null;
  note: string | null;
}

/**
 * One report of the caller's own, as "my reports" lists it (`GET /api/reports/mine`, v1.6) and the live
 * push sends it (`report:changed`): its state, and what the operators did and wrote, oldest first.
 * Who did it is left out: the reporter deals with the centre, not with a named operator.
 */
export interface MyReportView extends ReportStatus {
  category: IncidentCategory;
  severity: number;
  /** when it was seen (the phone's time of the report) */
  createdAt: number;
  description: string | null;
  updates: ReportUpdate[];
}

/** `GET /api/reports/mine`: the caller's reports, newest first (at most `limit`, default 100). */
export interface MyReportsPage {
  items: MyReportView[];
}

export type IncidentListItem = IncidentItem & { number: string };

export interface IncidentHistoryEntry {
  time: number;
  /** `reported`, a lifecycle action, `merged` (this one was merged into another) or `merge` (others into this) */
  action: string;
  actor: string | null;
  fromStatus: IncidentState | null;
  toStatus: IncidentState | null;
  note: string | null;
  /** merge events: the other incident */
  ref?: { id: string; number: string };
  /** assign events (v1.9): to whom, a unit's name or a person (absent on events stored before) */
  assignee?: string;
}

/** A report merged into an incident, as it was reported. */
export interface MergedReport {
  id: string;
  number: string;
  ts: number;
  category: IncidentCategory;
  severity: number;
  lat: number;
  lon: number;
  description?: string;
  reporter?: string;
  source: IncidentItem['source'];
  photos: PhotoRef[];
}

/** Answer of `GET /api/incidents/{id}`. */
export interface IncidentDetail {
  incident: IncidentListItem & { mergedInto?: { id: string; number: string }; address?: string };
  history: IncidentHistoryEntry[];
  /** the incident's own photos and those of the reports merged into it */
  photos: PhotoRef[];
  nearestCameras: Array<{ id: string; name: string; distanceM: number }>;
  reports: MergedReport[];
}

/** Body of `PATCH /api/incidents/{id}`. */
export interface IncidentActionRequest {
  action: IncidentAction;
  note?: string;
  /** for `assign`: who is sent, by name (or `unitId`) */
  assignee?: string;
  /** for `assign`: the unit sent (issue 15); it gets the task on its phone, its name becomes the assignee */
  unitId?: string;
  /** who; defaults to `operator` until accounts exist */
  actor?: string;
}

/** Body of `POST /api/incidents/{id}/merge`. */
export interface MergeRequest {
  ids: string[];
  note?: string;
  actor?: string;
}

/**
 * An Open311 report given with an address only (`GET /api/incidents/unplaced`): it waits, unplaced,
 * until an operator places it on the map (`POST /api/incidents/unplaced/{id}/place` with `{ lat, lon }`),
 * which stores its incident.
 */
export interface UnplacedReport {
  id: string;
  /** the Open311 client's token (`GET /open311/v2/tokens/{token}.json`) */
  token: string;
  category: IncidentCategory;
  description: string | null;
  /** Open311 `address_string`, as the reporter wrote it */
  address: string | null;
  /** Open311 `address_id`, the reporter's own address reference */
  addressId: string | null;
  reporter: string | null;
  /** when it was reported, ms since epoch */
  ts: number;
  /** an uploaded photo (`/api/photos/{id}/thumb` once placed) */
  photoId: string | null;
}
