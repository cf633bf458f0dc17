// The leaders' dashboard API (`/api/dashboard/...`): shapes shared by the server and the client.
import type { IncidentCategory } from './vocab.ts';

/** Local peak hours (start hours): 07:00–09:00 and 17:00–19:00. */
export const PEAK_HOURS = [7, 8, 17, 18] as const;
/** A segment-hour is congested when its mean speed is below this share of the segment's speed limit. */
export const CONGESTION_SHARE_OF_LIMIT = 0.3;

/** Hours from report to resolution within which an incident counts as resolved on time. */
export const RESOLVE_TARGET_HOURS: Record<IncidentCategory, number> = {
  fire: 2,
  traffic_accident: 4,
  traffic_jam: 4,
  public_order: 8,
  flooding: 24,
  environment: 72,
  infrastructure: 72,
  lighting: 72,
  waste: 72,
  other: 72,
};
export const DEFAULT_RESOLVE_TARGET_HOURS = 72;

export const INCIDENT_SOURCES = ['field', 'open311', 'camera', 'mqtt'] as const;

/**
 * The period a response covers, epoch ms. [from, to) is whole local days; `until` = min(to, now):
 * incident figures stop there. The previous period is as long, just before, and for incident
 * figures cut at the same elapsed time ([previousFrom, previousUntil)); daily traffic and camera
 * figures always use whole days ([previousFrom, from)).
 */
export interface DashboardPeriod {
  from: number;
  to: number;
  until: number;
  previousFrom: number;
  previousUntil: number;
  days: number;
  district: string | null;
}

export type KpiUnit = 'kmh' | 'hours' | 'count' | 'minutes' | 'share';
export type KpiGroup = 'traffic' | 'incidents' | 'cameras' | 'reports';

/** One headline figure with its value in the previous period; null when there is nothing to measure. */
export interface Kpi {
  key: string;
  group: KpiGroup;
  unit: KpiUnit;
  value: number | null;
  previous: number | null;
  /** value − previous */
  delta: number | null;
  /** (value − previous) / previous; null when previous is 0 or null */
  deltaRatio: number | null;
}

/** Every endpoint answers `{ period, items }`; with `?format=csv` the CSV has one row per item. */
export interface DashboardResponse<T> {
  period: DashboardPeriod;
  items: T[];
}

export interface SeriesDay {
  /** local date YYYY-MM-DD */
  day: string;
  /** local midnight, epoch ms */
  t: number;
  avgSpeedKmh: number | null;
  peakSpeedKmh: number | null;
  congestedHours: number;
  received: number;
  resolved: number;
  /** 0..1, null without camera status that day */
  cameraAvailability: number | null;
}

export interface WorstSegment {
  rank: number;
  segmentId: string;
  name: string;
  districtId: string | null;
  speedLimitKmh: number;
  avgSpeedKmh: number | null;
  peakSpeedKmh: number | null;
  /** avgSpeedKmh / speedLimitKmh */
  speedRatio: number | null;
  congestedHours: number;
  hours: number;
}

export type IncidentsBy = 'category' | 'district' | 'source';

export interface IncidentGroup {
  key: string;
  received: number;
  resolved: number;
  resolvedOnTime: number;
  /** resolvedOnTime / resolved */
  onTimeRate: number | null;
  ackMedianMin: number | null;
  resolveMedianMin: number | null;
  open: number;
}

export interface CameraAvailability {
  rank: number;
  cameraId: string;
  name: string;
  districtId: string | null;
  /** 0..1 */
  availability: number;
  hours: number;
}

export interface DistrictFigures {
  districtId: string;
  name: string;
  received: number;
  resolved: number;
  onTimeRate: number | null;
  avgSpeedKmh: number | null;
  congestedHours: number;
  /** congested segment-hours / segment-hours */
  congestionShare: number | null;
  cameraAvailability: number | null;
}

export interface CalendarDay {
  day: string;
  t: number;
  received: number;
}
