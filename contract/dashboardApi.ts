// The leaders' dashboard API (`/api/dashboard/...`): shapes shared by the server and the client.
import { type AlarmRuleCode, FLOOD_RATE_LIMIT } from './alarms.ts';
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

/** `rate`: alarms per 10 minutes per operator position (EEMUA 191) */
export type KpiUnit = 'kmh' | 'hours' | 'count' | 'minutes' | 'share' | 'rate';
export type KpiGroup = 'traffic' | 'incidents' | 'cameras' | 'reports' | 'alarms';

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

/**
 * The alarm system's health (EEMUA 191, ISA-18.2 table 5), `/api/dashboard/alarm-health`: each figure's
 * key and the target it should stay at or below. Rates are alarms raised per 10 minutes
 * (FLOOD_RATE_WINDOW_MS) per operator position; raised = the activations in the alarm history, flood
 * parents left out (their children are counted).
 */
export const ALARM_HEALTH_TARGETS = {
  /** alarms raised in the period */
  alarmsRaised: null,
  /** mean rate over the period: ~1 is acceptable */
  alarmRate: 1,
  /** the busiest 10 minutes: at most FLOOD_RATE_LIMIT */
  alarmPeakRate: FLOOD_RATE_LIMIT,
  /** share of 10-minute periods in flood (more than FLOOD_RATE_LIMIT per position): under 1% */
  alarmFloodShare: 0.01,
  /** median minutes from an activation to its acknowledgement (acknowledgements in the period) */
  alarmAckMedian: null,
  /** alarms active longer than STANDING_ALARM_MS at some time in the period: at most 5 */
  alarmStanding: 5,
  /** alarms that activated CHATTER_ACTIVATIONS times within CHATTER_WINDOW_MS in the period: none */
  alarmChattering: 0,
  /** the operator positions the rates are divided by (the ALARM_OPERATOR_POSITIONS setting) */
  operatorPositions: null,
} as const satisfies Record<string, number | null>;
export type AlarmHealthKey = keyof typeof ALARM_HEALTH_TARGETS;
export const ALARM_HEALTH_KEYS = Object.keys(ALARM_HEALTH_TARGETS) as AlarmHealthKey[];

/** A figure of the alarm system's health, with its target (`null`: none) and whether it is met (value ≤ target). */
export interface AlarmHealthKpi extends Kpi {
  key: AlarmHealthKey;
  target: number | null;
  /** value ≤ target; null without a target or a value */
  withinTarget: boolean | null;
}

/** One 10-minute period of the alarm rate chart (`/api/dashboard/alarm-rate`). */
export interface AlarmRateBucket {
  /** the period's start, epoch ms (periods start at local midnight, every 10 minutes) */
  t: number;
  /** alarms raised in it */
  raised: number;
  /** raised / operator positions */
  perPosition: number;
  /** perPosition > FLOOD_RATE_LIMIT */
  flood: boolean;
}

/** One of the most frequent alarm sources (`/api/dashboard/alarm-sources`): an alarm key and its count. */
export interface AlarmSource {
  rank: number;
  /** `rule:asset[:detail]` */
  key: string;
  rule: AlarmRuleCode;
  assetId: string | null;
  /** the asset's name (a segment, a camera), an incident's number; null when none */
  name: string | null;
  /** what the key adds after the asset (a detection kind, an SLA level, a part of the system), a code */
  detail: string | null;
  wardId: string | null;
  /** alarms raised in the period */
  raised: number;
  /** chattering in the period (CHATTER_ACTIVATIONS within CHATTER_WINDOW_MS) */
  chattering: boolean;
  /** epoch ms of its last activation in the period */
  lastRaisedAt: number;
}
