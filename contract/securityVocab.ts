import type { DashboardPeriod } from './dashboardApi.ts';

// Information-security monitoring (issue 15, contract v1.7): the province's SOC. SIEM events (Wazuh's alert
// shape) on the indicator feed, the inventory of public systems the IOC probes itself, and the answers of
// `/api/security/...`. Plain types and constants (no zod): the schemas are in security.ts.

/**
 * Severity bands of a rule level (Wazuh's 0–15): 0–6 low, 7–11 medium, 12–14 high, 15 critical, as
 * Wazuh's own dashboards band them.
 */
export const SEVERITY_BANDS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityBand = (typeof SEVERITY_BANDS)[number];

/** The band of a rule level. */
export function severityBand(level: number): SeverityBand {
  if (level >= 15) return 'critical';
  if (level >= 12) return 'high';
  if (level >= 7) return 'medium';
  return 'low';
}

/**
 * The indicators a SIEM event counts into (events, province-wide, broken down by `topic` = the severity
 * band's code `severity-{band}` and `source` = the system, Wazuh's agent name): every event is detected;
 * an event whose rule groups name an active response (`active_response`, `firewall_drop`) was blocked.
 * A sender may send SIEM events when it may send `soc_attacks_detected` (an HTTP source's indicator list, a
 * device's asset list on MQTT).
 */
export const SOC_DETECTED = 'soc_attacks_detected';
export const SOC_BLOCKED = 'soc_attacks_blocked';
export const BLOCKED_GROUPS: readonly string[] = ['active_response', 'firewall_drop'];
/** The `topic` code a band is counted under. */
export const bandTopic = (band: SeverityBand): string => `severity-${band}`;

/** Kinds of public system in the inventory. */
export const SYSTEM_KINDS = ['portal', 'public_service', 'email', 'other'] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];

/** A probe's timeout, and how often the server probes each system. */
export const PROBE_TIMEOUT_MS = 10_000;
export const PROBE_INTERVAL_MS = 60_000;

/** A SIEM event as the panel lists it (`GET /api/security/events`). */
export interface SecurityEventView {
  id: string;
  /** when the SIEM saw it (Wazuh's `timestamp`), epoch ms */
  time: number;
  level: number;
  band: SeverityBand;
  ruleId: string | null;
  /** the rule's description, as the SIEM words it (English as a rule, a proper text) */
  description: string;
  groups: string[];
  /** the system it is about (Wazuh's agent name), and the inventory's id when an entry names that agent */
  agent: string;
  agentIp: string | null;
  systemId: string | null;
  srcIp: string | null;
  blocked: boolean;
}

/** A public system of the inventory with its latest probe (`GET /api/security/systems`, the admin tab). */
export interface SecuritySystemView {
  id: string;
  nameVi: string;
  nameEn: string;
  kind: SystemKind;
  /** what the probe asks for (http or https) */
  url: string;
  /** the SIEM's agent name of this system: its events show under it */
  agent: string | null;
  /** provided by the running simulation (its address changes at each start) */
  simulated: boolean;
  disabled: boolean;
  updatedAt: number;
  /** the latest probe; null before the first */
  probe: ProbeView | null;
  /** since when it has been down (the first failed probe of the current run of failures); null while up */
  downSince: number | null;
}

/** One availability check. */
export interface ProbeView {
  time: number;
  up: boolean;
  /** HTTP status; null when no answer came */
  status: number | null;
  responseMs: number | null;
  /** https: the certificate's end of validity */
  certExpiresAt: number | null;
  /** why it is down: `timeout`, `refused`, `http_status`, `tls`, `dns`, `error` */
  error: ProbeError | null;
}
export const PROBE_ERRORS = ['timeout', 'refused', 'http_status', 'tls', 'dns', 'error'] as const;
export type ProbeError = (typeof PROBE_ERRORS)[number];

/** The console's tile and panel (`GET /api/security/summary`). */
export interface SecuritySummary {
  /** events at or above the high-level threshold in the last 24 h not yet answered (their alarm acknowledged after them) */
  openHigh: number;
  /** the rule level from which an event is high (the `security_event` rule's threshold) */
  highLevel: number;
  systemsDown: number;
  systems: number;
  /** the last 24 h */
  byBand: Record<SeverityBand, number>;
  topSources: Array<{ ip: string; events: number; maxLevel: number }>;
  affected: Array<{ agent: string; systemId: string | null; events: number; maxLevel: number; last: number }>;
  /** the newest event's time; null when none */
  latest: number | null;
  asOf: number;
}

/** The dashboard's security tab (`GET /api/dashboard/security`). */
export interface SecurityDashboard {
  /** the dashboard's period (whole local days; the figures are the province's, whatever the district) */
  period: DashboardPeriod;
  /** events per local day and band */
  perDay: Array<{ day: number } & Record<SeverityBand, number>>;
  /** availability per system over the period: the share of probes that were up (null: never probed) */
  availability: Array<{
    id: string;
    nameVi: string;
    nameEn: string;
    probes: number;
    up: number;
    share: number | null;
  }>;
  /**
   * Mean time to respond: from an alarm of the security rules raised to its acknowledgement, over alarms
   * acknowledged in the period (an event becomes an alarm within a second of arriving); null when none was
   */
  mttrMs: number | null;
  acknowledged: number;
  events: number;
  blocked: number;
}
