// One pass of every alarm rule over what changed, and the rule states that stored alarms imply.
import type { AlarmItem, AlarmRuleCode, AlarmRuleConfig } from '#contract/alarms.ts';
import type { IndicatorDef } from '#contract/indicatorVocab.ts';
import { type FloodState, floodInit } from './flood.ts';
import type { CityPlaces } from './places.ts';
import {
  type AssetSilentState,
  assetSilent,
  assetSilentInit,
  type SilentAsset,
} from './rules/assetSilent.ts';
import { type CameraDetectionState, cameraDetection, cameraDetectionInit } from './rules/cameraDetection.ts';
import { type CameraOfflineState, cameraOffline, cameraOfflineInit } from './rules/cameraOffline.ts';
import {
  type CrowdCount,
  type CrowdHotspotState,
  crowdHotspot,
  crowdHotspotInit,
} from './rules/crowdHotspot.ts';
import type { Debounce } from './rules/debounce.ts';
import {
  type IncidentInput,
  type IncidentNewState,
  type IncidentOverdueState,
  incidentNew,
  incidentNewInit,
  incidentOverdue,
  incidentOverdueInit,
} from './rules/incidents.ts';
import {
  type BaselineSample,
  type IndicatorRuleState,
  indicatorBaseline,
  indicatorRuleInit,
  indicatorThreshold,
  seedIndicatorAlarm,
  type ThresholdSample,
} from './rules/indicators.ts';
import { type RoadJamState, roadJam, roadJamInit } from './rules/roadJam.ts';
import {
  type CertExpiryState,
  certExpiry,
  certExpiryInit,
  type SecurityEventInput,
  type SecurityEventState,
  type SystemDownState,
  type SystemInput,
  securityEvent,
  securityEventInit,
  systemDown,
  systemDownInit,
} from './rules/security.ts';
import {
  type RejectSpikeState,
  rejectSpike,
  rejectSpikeInit,
  type SystemHealthSample,
  type SystemHealthState,
  systemHealth,
  systemHealthInit,
} from './rules/system.ts';
import type { AlarmSignal } from './signals.ts';

export interface RuleStates {
  roadJam: RoadJamState;
  cameraOffline: CameraOfflineState;
  assetSilent: AssetSilentState;
  cameraDetection: CameraDetectionState;
  incidentNew: IncidentNewState;
  ackOverdue: IncidentOverdueState;
  resolveOverdue: IncidentOverdueState;
  rejectSpike: RejectSpikeState;
  systemHealth: SystemHealthState;
  indicatorThreshold: IndicatorRuleState;
  indicatorBaseline: IndicatorRuleState;
  securityEvent: SecurityEventState;
  systemDown: SystemDownState;
  certExpiry: CertExpiryState;
  crowdHotspot: CrowdHotspotState;
}

export const rulesInit = (): RuleStates => ({
  roadJam: roadJamInit(),
  cameraOffline: cameraOfflineInit(),
  assetSilent: assetSilentInit(),
  cameraDetection: cameraDetectionInit(),
  incidentNew: incidentNewInit(),
  ackOverdue: incidentOverdueInit(),
  resolveOverdue: incidentOverdueInit(),
  rejectSpike: rejectSpikeInit(),
  systemHealth: systemHealthInit(),
  indicatorThreshold: indicatorRuleInit(),
  indicatorBaseline: indicatorRuleInit(),
  securityEvent: securityEventInit(),
  systemDown: systemDownInit(),
  certExpiry: certExpiryInit(),
  crowdHotspot: crowdHotspotInit(),
});

/** What the rules read in one pass: the samples that arrived since the last one, and the time. */
export interface RuleInputs {
  now: number;
  places: CityPlaces;
  readings: Array<{ id: string; ts: number; speedKmh: number }>;
  statuses: Array<{ id: string; ts: number; online: boolean }>;
  /** every asset with its last message */
  assets: SilentAsset[];
  detections: Array<{
    cameraId: string;
    time: number;
    kind: Parameters<typeof cameraDetection>[1][number]['kind'];
    confidence: number | null;
  }>;
  /** incidents changed since the last pass */
  changedIncidents: IncidentInput[];
  /** every open incident (the SLA clocks) */
  openIncidents: IncidentInput[];
  rejects: { ts: number; rejectRate: number } | null;
  health: SystemHealthSample | null;
  /** the indicator feed now: the catalogue (with its thresholds), the latest figures and counts */
  indicators: {
    catalogue: ReadonlyMap<string, IndicatorDef>;
    thresholds: ThresholdSample[];
    baselines: BaselineSample[];
  };
  /**
   * information security: the SIEM events stored since the last pass, and the inventory's enabled systems
   * with their latest probe (null: the security module is not running; its rules keep their state)
   */
  security: { events: SecurityEventInput[]; systems: SystemInput[] | null };
  /** people counts that arrived since the last pass, and the cameras' own thresholds (crowd_thresholds) */
  crowd: { counts: CrowdCount[]; thresholds: ReadonlyMap<string, number> };
}

/** Every rule once, in a fixed order; the signals in that order. */
export function rulePass(
  s: RuleStates,
  rules: Record<AlarmRuleCode, AlarmRuleConfig>,
  i: RuleInputs,
): { states: RuleStates; signals: AlarmSignal[] } {
  const { now, places } = i;
  const rj = roadJam(s.roadJam, i.readings, places.segments, rules.road_jam, now);
  const co = cameraOffline(s.cameraOffline, i.statuses, places.cameras, rules.camera_offline, now);
  const as = assetSilent(s.assetSilent, i.assets, rules.asset_silent, now);
  const cd = cameraDetection(s.cameraDetection, i.detections, places.cameras, rules.camera_detection, now);
  const inew = incidentNew(s.incidentNew, i.changedIncidents, rules.incident_new, now);
  const ack = incidentOverdue(
    s.ackOverdue,
    i.openIncidents,
    { ...rules.incident_ack_overdue, rule: 'incident_ack_overdue' },
    now,
  );
  const res = incidentOverdue(
    s.resolveOverdue,
    i.openIncidents,
    { ...rules.incident_resolve_overdue, rule: 'incident_resolve_overdue' },
    now,
  );
  const rs = rejectSpike(s.rejectSpike, i.rejects, rules.reject_spike, now);
  const sh = systemHealth(s.systemHealth, i.health, rules.system_health, now);
  const ind = i.indicators;
  const it = indicatorThreshold(
    s.indicatorThreshold,
    ind.thresholds,
    ind.catalogue,
    rules.indicator_threshold,
    now,
  );
  const ib = indicatorBaseline(
    s.indicatorBaseline,
    ind.baselines,
    ind.catalogue,
    rules.indicator_baseline,
    now,
  );
  const sec = i.security;
  const se = securityEvent(s.securityEvent, sec.events, sec.systems ?? [], rules.security_event, now);
  const sd = sec.systems
    ? systemDown(s.systemDown, sec.systems, rules.system_down, now)
    : { state: s.systemDown, signals: [] };
  const ce = sec.systems
    ? certExpiry(s.certExpiry, sec.systems, rules.cert_expiry, now)
    : { state: s.certExpiry, signals: [] };
  const ch = crowdHotspot(
    s.crowdHotspot,
    i.crowd.counts,
    places.cameras,
    i.crowd.thresholds,
    rules.crowd_hotspot,
    now,
  );
  return {
    states: {
      roadJam: rj.state,
      cameraOffline: co.state,
      assetSilent: as.state,
      cameraDetection: cd.state,
      incidentNew: inew.state,
      ackOverdue: ack.state,
      resolveOverdue: res.state,
      rejectSpike: rs.state,
      systemHealth: sh.state,
      indicatorThreshold: it.state,
      indicatorBaseline: ib.state,
      securityEvent: se.state,
      systemDown: sd.state,
      certExpiry: ce.state,
      crowdHotspot: ch.state,
    },
    signals: [
      ...rj.signals,
      ...co.signals,
      ...as.signals,
      ...cd.signals,
      ...inew.signals,
      ...ack.signals,
      ...res.signals,
      ...rs.signals,
      ...sh.signals,
      ...it.signals,
      ...ib.signals,
      ...se.signals,
      ...sd.signals,
      ...ce.signals,
      ...ch.signals,
    ],
  };
}

const activeDebounce = (): Debounce => ({
  active: true,
  tripSince: null,
  resetSince: null,
  lastTs: Number.NEGATIVE_INFINITY,
});

/** The condition behind it is active (an alarm in `unack_cleared` waits only for its acknowledgement). */
export const conditionActive = (a: Pick<AlarmItem, 'state'>): boolean =>
  a.state === 'unack_active' || a.state === 'ack_active';

/**
 * The rule and flood states that the stored alarms imply: after a restart (or when this instance's
 * engine takes over from another's) each rule knows which of its alarms are up, so that it clears
 * them when their condition goes and does not raise them again. Keys are `rule:asset[:sub]`.
 */
export function seedStates(stored: readonly AlarmItem[]): { rules: RuleStates; flood: FloodState } {
  const s = rulesInit();
  const flood = floodInit();
  const active = stored.filter(conditionActive);
  for (const a of active) {
    const parts = a.key.split(':');
    const sub = parts.slice(1).join(':');
    switch (a.rule) {
      case 'road_jam':
        if (parts[0] === 'road_jam') s.roadJam.segments.set(sub, activeDebounce());
        break;
      case 'camera_offline':
        if (parts[0] === 'camera_offline') s.cameraOffline.cameras.set(sub, activeDebounce());
        break;
      case 'asset_silent':
        if (parts[0] === 'asset_silent') s.assetSilent.active.add(sub);
        break;
      case 'camera_detection':
        // the latest detection behind it is at least its activation
        if (parts[0] === 'camera_detection')
          s.cameraDetection.active.set(a.key, a.activatedAt ?? a.updatedAt);
        break;
      case 'incident_new':
        if (parts[0] === 'incident_new') s.incidentNew.active.add(sub);
        break;
      case 'incident_ack_overdue':
      case 'incident_resolve_overdue': {
        if (parts[0] !== a.rule || parts.length < 3) break;
        const level = parts[parts.length - 1];
        const id = parts.slice(1, -1).join(':');
        if (level !== 'warning' && level !== 'overdue') break;
        const m = a.rule === 'incident_ack_overdue' ? s.ackOverdue.active : s.resolveOverdue.active;
        // the overdue alarm replaces the warning: keep the later level
        if (m.get(id) !== 'overdue') m.set(id, level);
        break;
      }
      case 'reject_spike':
        if (parts[0] === 'reject_spike') s.rejectSpike.d.set('x', activeDebounce());
        break;
      case 'system_health':
        if (parts[0] === 'system_health') s.systemHealth.d.set(sub, activeDebounce());
        break;
      case 'indicator_threshold':
        if (parts[0] === a.rule) seedIndicatorAlarm(s.indicatorThreshold, a.key);
        break;
      case 'indicator_baseline':
        if (parts[0] === a.rule) seedIndicatorAlarm(s.indicatorBaseline, a.key);
        break;
      case 'security_event':
        if (parts[0] === a.rule)
          s.securityEvent.active.set(a.key, {
            last: a.activatedAt ?? a.updatedAt,
            level: Number(a.title.params.level ?? 0),
          });
        break;
      case 'system_down':
        if (parts[0] === a.rule) s.systemDown.systems.set(sub, activeDebounce());
        break;
      case 'cert_expiry':
        if (parts[0] === a.rule) s.certExpiry.active.add(sub);
        break;
      case 'crowd_hotspot':
        if (parts[0] === a.rule) s.crowdHotspot.cameras.set(sub, activeDebounce());
        break;
    }
  }
  // flood groups: the open parents with their active children
  for (const p of active) {
    if (!p.key.startsWith('flood:') || p.wardId === null) continue;
    const children = new Set(active.filter((c) => c.parentId === p.id).map((c) => c.key));
    flood.groups.set(`${p.rule}|${p.wardId}`, {
      parentKey: p.key,
      rule: p.rule,
      wardId: p.wardId,
      children,
      total: p.childCount,
      priority: p.priority,
    });
  }
  return { rules: s, flood };
}
