// Alarms an operator must answer (issue 13): the vocabulary shared by the server, the console, the admin
// page and the dashboard, without a schema library, so the browser bundles import it as it is.
// States follow ISA-18.2 / IEC 62682; the rate and flood figures EEMUA 191. The schemas that check
// what is sent are in alarms.ts (which re-exports all of this).
import type { IncidentCategory } from './vocab.ts';

/**
 * ISA-18.2 alarm states. `unack_cleared`: the condition returned to normal before anyone acknowledged
 * the alarm (only latched alarms stay there; see `applyAlarmEvent`).
 */
export const ALARM_STATES = ['unack_active', 'ack_active', 'unack_cleared', 'normal'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
/** States an operator still sees in the alarm list. */
export const OPEN_ALARM_STATES: readonly AlarmState[] = ['unack_active', 'ack_active', 'unack_cleared'];

/** Priorities by code: 1 is the most urgent. Names are codes too: the client renders them. */
export const ALARM_PRIORITIES = { 1: 'critical', 2: 'high', 3: 'medium', 4: 'low' } as const;
export type AlarmPriority = keyof typeof ALARM_PRIORITIES;
export type AlarmPriorityName = (typeof ALARM_PRIORITIES)[AlarmPriority];
export const ALARM_PRIORITY_CODES: readonly AlarmPriority[] = [1, 2, 3, 4];

/** One step less urgent (an SLA warning before its alarm), never below low. */
export const lowerPriority = (p: AlarmPriority): AlarmPriority => Math.min(4, p + 1) as AlarmPriority;

/** The rules that raise alarms. */
export const ALARM_RULES = [
  'road_jam',
  'camera_offline',
  'asset_silent',
  'camera_detection',
  'incident_new',
  'incident_ack_overdue',
  'incident_resolve_overdue',
  'reject_spike',
  'system_health',
  'indicator_threshold',
  'indicator_baseline',
  // information security (issue 15)
  'security_event',
  'system_down',
  'cert_expiry',
  'crowd_hotspot',
] as const;
export type AlarmRuleCode = (typeof ALARM_RULES)[number];

/**
 * Title codes: the console renders `{code, params}` in the reader's language, never a sentence from
 * the server. Each rule's own code, plus a flood group's parent (`flood_group`: params `rule`, `wardId`,
 * `count`). The indicator rules' params name the indicator by id (the console has the catalogue,
 * `GET /api/indicators`, for its name and unit): `indicator_threshold` `{ indicator, level, scope,
 * agency, ward, value, unit, threshold, period, periodLabel }` (`period` `event`: `value` is the count of
 * the last hour; otherwise the latest figure, of `periodLabel`); `indicator_baseline` `{ indicator, level,
 * scope, agency, ward, topic, sentiment, count, baseline, ratio, threshold }` (`count` bad events in the
 * last hour, `baseline` the usual count of that hour as the ratio used it, never below a floor, `threshold` the ratio crossed).
 * Security (issue 15): `security_event` `{ agent, system, level, band, description, srcIp, count }` (the
 * highest event of a system since the alarm rose; `system` the inventory's id or null), `system_down`
 * `{ system, nameVi, nameEn, since, error }`, `cert_expiry` `{ system, nameVi, nameEn, expiresAt, days }`.
 * `crowd_hotspot` `{ camera, count, threshold }`: the people a camera counted and the threshold it passed
 * (the camera's own, or the rule's default).
 */
export const ALARM_TITLE_CODES = [...ALARM_RULES, 'flood_group'] as const;
export type AlarmTitleCode = (typeof ALARM_TITLE_CODES)[number];
/** Parameters of a title: plain values (names of assets are proper names and travel as they are). */
export type AlarmTitleParams = Record<string, string | number | boolean | null>;

/** SLA levels of `incident_ack_overdue` / `incident_resolve_overdue`: warning at 80 %, alarm at 100 %. */
export const SLA_LEVELS = ['warning', 'overdue'] as const;
export type SlaLevel = (typeof SLA_LEVELS)[number];
/** Share of a category's target at which the warning is raised (the rules' default `threshold`). */
export const SLA_WARNING_SHARE = 0.8;

/**
 * Minutes from report to acknowledgement within which an incident counts as answered; the
 * resolution targets are `RESOLVE_TARGET_HOURS` (contract/dashboardApi.ts).
 */
export const ACK_TARGET_MINUTES: Record<IncidentCategory, number> = {
  fire: 5,
  traffic_accident: 10,
  traffic_jam: 15,
  flooding: 15,
  public_order: 30,
  environment: 60,
  infrastructure: 60,
  lighting: 60,
  waste: 60,
  other: 60,
};
export const DEFAULT_ACK_TARGET_MINUTES = 60;

/** Longest timed shelving (EEMUA 191: shelving is temporary; a shift's length at most). */
export const MAX_SHELVE_MS = 8 * 3_600_000;
export const MAX_SHELVE_REASON_CHARS = 500;

/** Shelved by an operator: hidden until `until`, or with `until: null` until the condition next clears. */
export interface AlarmShelf {
  by: string;
  reason: string;
  at: number;
  /** epoch ms; null = one-shot, until the condition clears */
  until: number | null;
}

/** Suppressed by design: the asset is out of service. */
export interface AlarmSuppression {
  by: string;
  reason: string;
  at: number;
}

/** An alarm that activates this many times within CHATTER_WINDOW_MS is chattering (collapsed, counted). */
export const CHATTER_ACTIVATIONS = 3;
export const CHATTER_WINDOW_MS = 10 * 60_000;
/** EEMUA 191: more than 10 alarms in 10 minutes for one operator position is a flood. */
export const FLOOD_RATE_WINDOW_MS = 10 * 60_000;
export const FLOOD_RATE_LIMIT = 10;
/** An alarm active longer than this is standing (EEMUA 191). */
export const STANDING_ALARM_MS = 24 * 3_600_000;

export const ALARM_OPERATOR_ACTIONS = ['acknowledge', 'shelve', 'unshelve'] as const;

/** Why an action was not applied: the API answers 409 with the alarm's current state and flags. */
export interface AlarmRefusal {
  code: 'illegal_transition';
  message: string;
  state: AlarmState;
  shelved: boolean;
  suppressed: boolean;
}

/**
 * One rule's settings (`alarm_rules`, the admin page). What `threshold` and `margin` mean depends on
 * the rule (see ALARM_RULE_META); `delayMs` is how long the condition must hold before the alarm
 * activates, `clearDelayMs` how long it must stay gone before it clears.
 */
export interface AlarmRuleConfig {
  rule: AlarmRuleCode;
  enabled: boolean;
  priority: AlarmPriority;
  latched: boolean;
  threshold: number | null;
  margin: number | null;
  delayMs: number;
  clearDelayMs: number;
}

/** The unit and bounds of each rule's threshold and margin, for validation and the admin form. */
export const ALARM_RULE_META: Record<
  AlarmRuleCode,
  {
    threshold: { unit: string; min: number; max: number } | null;
    margin: { unit: string; min: number; max: number } | null;
  }
> = {
  // speed below threshold × limit is a jam; it clears above (threshold + margin) × limit
  road_jam: {
    threshold: { unit: 'share_of_limit', min: 0.05, max: 0.9 },
    margin: { unit: 'share_of_limit', min: 0, max: 0.5 },
  },
  camera_offline: { threshold: null, margin: null },
  asset_silent: { threshold: null, margin: null },
  // minimum detection confidence (0..1); a detection without one counts
  camera_detection: { threshold: { unit: 'confidence', min: 0, max: 1 }, margin: null },
  // minimum incident severity (1..5)
  incident_new: { threshold: { unit: 'severity', min: 1, max: 5 }, margin: null },
  // share of the category's target at which the warning is raised
  incident_ack_overdue: { threshold: { unit: 'share_of_target', min: 0.1, max: 0.99 }, margin: null },
  incident_resolve_overdue: { threshold: { unit: 'share_of_target', min: 0.1, max: 0.99 }, margin: null },
  // rejected messages per second; it clears below threshold − margin
  reject_spike: {
    threshold: { unit: 'per_second', min: 0.1, max: 100_000 },
    margin: { unit: 'per_second', min: 0, max: 100_000 },
  },
  // ingest lag in ms beyond which ingest is "behind"
  system_health: { threshold: { unit: 'ms', min: 500, max: 600_000 }, margin: null },
  // the thresholds are each indicator's, in the catalogue (IndicatorThresholds); the margin is the
  // deadband, a share of the threshold the figure must come back past before its alarm clears
  indicator_threshold: { threshold: null, margin: { unit: 'share_of_threshold', min: 0, max: 0.5 } },
  // the ratios are each indicator's, in the catalogue; the threshold is the fewest bad events in the
  // hour that may alarm at all (one mention against a baseline of none is no spike)
  indicator_baseline: {
    threshold: { unit: 'count_per_hour', min: 1, max: 100_000 },
    margin: { unit: 'share_of_threshold', min: 0, max: 0.5 },
  },
  // the lowest SIEM rule level (Wazuh 0-16) that raises an alarm
  security_event: { threshold: { unit: 'rule_level', min: 0, max: 16 }, margin: null },
  // a system down (failed probes) for delayMs
  system_down: { threshold: null, margin: null },
  // days before a certificate expires from which it alarms
  cert_expiry: { threshold: { unit: 'days', min: 1, max: 90 }, margin: null },
  // the default people count of a hotspot (a camera may have its own: crowd_thresholds); it clears
  // below threshold × (1 − margin), or when the camera has counted nobody for HOTSPOT_MAX_AGE_MS
  crowd_hotspot: {
    threshold: { unit: 'people', min: 1, max: 100_000 },
    margin: { unit: 'share_of_threshold', min: 0, max: 0.5 },
  },
};

/**
 * Levels of the indicator rules: an indicator's `warning` and `critical` thresholds (the catalogue's).
 * Two alarms, as ISA-18.2 keeps a high and a high-high apart; the critical one replaces the warning.
 * Critical takes the rule's priority, warning one below (as the SLA rules' warning and overdue).
 */
export const INDICATOR_ALARM_LEVELS = ['warning', 'critical'] as const;
export type IndicatorAlarmLevel = (typeof INDICATOR_ALARM_LEVELS)[number];

/** The shipped settings; sql/012_alarms.sql, 017_indicator_alarms.sql and 022_crowd_hotspots.sql insert the same (a test keeps them equal). */
export const ALARM_RULE_DEFAULTS: Record<AlarmRuleCode, AlarmRuleConfig> = {
  road_jam: {
    rule: 'road_jam',
    enabled: true,
    priority: 3,
    latched: false,
    threshold: 0.3,
    margin: 0.1,
    delayMs: 5 * 60_000,
    clearDelayMs: 3 * 60_000,
  },
  camera_offline: {
    rule: 'camera_offline',
    enabled: true,
    priority: 3,
    latched: false,
    threshold: null,
    margin: null,
    delayMs: 60_000,
    clearDelayMs: 0,
  },
  asset_silent: {
    rule: 'asset_silent',
    enabled: true,
    priority: 4,
    latched: false,
    threshold: null,
    margin: null,
    delayMs: 10 * 60_000,
    clearDelayMs: 0,
  },
  // a detection is an event: it clears after clearDelayMs without a repeat, and stays until acknowledged
  camera_detection: {
    rule: 'camera_detection',
    enabled: true,
    priority: 2,
    latched: true,
    threshold: 0.6,
    margin: null,
    delayMs: 0,
    clearDelayMs: 10 * 60_000,
  },
  incident_new: {
    rule: 'incident_new',
    enabled: true,
    priority: 3,
    latched: false,
    threshold: 3,
    margin: null,
    delayMs: 0,
    clearDelayMs: 0,
  },
  incident_ack_overdue: {
    rule: 'incident_ack_overdue',
    enabled: true,
    priority: 2,
    latched: false,
    threshold: SLA_WARNING_SHARE,
    margin: null,
    delayMs: 0,
    clearDelayMs: 0,
  },
  incident_resolve_overdue: {
    rule: 'incident_resolve_overdue',
    enabled: true,
    priority: 3,
    latched: false,
    threshold: SLA_WARNING_SHARE,
    margin: null,
    delayMs: 0,
    clearDelayMs: 0,
  },
  reject_spike: {
    rule: 'reject_spike',
    enabled: true,
    priority: 3,
    latched: false,
    threshold: 20,
    margin: 10,
    delayMs: 60_000,
    clearDelayMs: 2 * 60_000,
  },
  system_health: {
    rule: 'system_health',
    enabled: true,
    priority: 1,
    latched: true,
    threshold: 5_000,
    margin: null,
    delayMs: 10_000,
    clearDelayMs: 30_000,
  },
  // a figure is its period's truth: it raises at once; a rolling count of events clears after
  // clearDelayMs back past the deadband (a figure clears with the figure that says so)
  indicator_threshold: {
    rule: 'indicator_threshold',
    enabled: true,
    priority: 2,
    latched: false,
    threshold: null,
    margin: 0.02,
    delayMs: 0,
    clearDelayMs: 10 * 60_000,
  },
  indicator_baseline: {
    rule: 'indicator_baseline',
    enabled: true,
    priority: 2,
    latched: false,
    threshold: 10,
    margin: 0.1,
    delayMs: 0,
    clearDelayMs: 10 * 60_000,
  },
  // an event: latched, it clears clearDelayMs after the system's last high event
  security_event: {
    rule: 'security_event',
    enabled: true,
    priority: 2,
    latched: true,
    threshold: 12,
    margin: null,
    delayMs: 0,
    clearDelayMs: 10 * 60_000,
  },
  system_down: {
    rule: 'system_down',
    enabled: true,
    priority: 2,
    latched: false,
    threshold: null,
    margin: null,
    delayMs: 3 * 60_000,
    clearDelayMs: 60_000,
  },
  cert_expiry: {
    rule: 'cert_expiry',
    enabled: true,
    priority: 3,
    latched: false,
    threshold: 14,
    margin: null,
    delayMs: 0,
    clearDelayMs: 0,
  },
  // a count is sampled every minute or so: one count past the threshold raises it; it clears once the
  // counts have stayed back below the deadband for clearDelayMs (a crowd thins out, then comes back)
  crowd_hotspot: {
    rule: 'crowd_hotspot',
    enabled: true,
    priority: 2,
    latched: false,
    threshold: 50,
    margin: 0.2,
    delayMs: 0,
    clearDelayMs: 5 * 60_000,
  },
};

/** An asset put out of service (maintenance): its alarms are suppressed, listed, never lost. */
export interface OutOfService {
  assetId: string;
  by: string;
  reason: string;
  since: number;
  /** epoch ms; null = until returned to service by hand */
  until: number | null;
}

/** One transition in an alarm's history (`GET /api/alarms/{id}/history`). */
export interface AlarmHistoryEntry {
  id: string;
  alarmId: string;
  time: number;
  /** the AlarmEvent type */
  event: 'activate' | 'clear' | 'acknowledge' | 'shelve' | 'unshelve' | 'suppress' | 'unsuppress';
  /** a username, or `system` */
  actor: string;
  from: AlarmState;
  to: AlarmState;
  note: string | null;
}

/** A title as it travels: a code and its parameters; the reader's language is the console's business. */
export interface AlarmTitle {
  code: AlarmTitleCode;
  params: AlarmTitleParams;
}

/** One alarm as consoles receive it (`GET /api/alarms`, the live push); AlarmItemSchema checks the same. */
export interface AlarmItem {
  id: string;
  /** what the alarm is about, unique: `rule:asset[:sub]`, or `flood:rule:ward` for a flood parent */
  key: string;
  rule: AlarmRuleCode;
  priority: AlarmPriority;
  state: AlarmState;
  assetId: string | null;
  /** the ward (district) id, for filters and flood groups */
  wardId: string | null;
  title: AlarmTitle;
  lat: number | null;
  lon: number | null;
  /** stays until acknowledged even when the condition clears */
  latched: boolean;
  shelved: AlarmShelf | null;
  suppressed: AlarmSuppression | null;
  /** the flood group this alarm is a child of */
  parentId: string | null;
  /** children of a flood parent (0 for other alarms) */
  childCount: number;
  /** activations within the chattering window; ≥ CHATTER_ACTIVATIONS marks it chattering */
  chatterCount: number;
  /** times the condition activated since the alarm was first raised */
  activationCount: number;
  activatedAt: number | null;
  clearedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  updatedAt: number;
  /** bumped on every change: the optimistic-concurrency token of the store */
  version: number;
}

/** Operator actions on one alarm (`POST /api/alarms/{id}/actions`); AlarmActionSchema checks them. */
export type AlarmAction =
  | { action: 'acknowledge'; comment?: string }
  | {
      action: 'shelve';
      reason: string;
      /** timed (ms, ≤ MAX_SHELVE_MS) or one-shot: until the condition clears */
      duration: number | 'until_clear';
    }
  | { action: 'unshelve'; comment?: string };
export type AlarmActionName = AlarmAction['action'];

/** Acknowledge several at once (the selected, or all visible): `POST /api/alarms/acknowledge`. */
export interface AlarmBulkAck {
  ids: string[];
  comment?: string;
}

/** A rule's settings as the admin page lists them (`GET /api/admin/alarm-rules`): who changed them last. */
export interface AlarmRuleSetting extends AlarmRuleConfig {
  /** epoch ms of the last change (for settings never changed, when they were installed) */
  updatedAt: number;
  /** the admin who changed them last; null: the shipped settings, never changed */
  updatedBy: string | null;
}

/** An asset out of service as the admin page lists it (`GET /api/admin/out-of-service`). */
export interface OutOfServiceView extends OutOfService {
  /** its alarms open and suppressed now: kept and listed, flagged, not lost */
  suppressedAlarms: number;
}
