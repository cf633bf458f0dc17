import type { AlarmPriority, AlarmRuleCode, AlarmRuleConfig, AlarmTitleParams } from '#contract/alarms.ts';

/** A rule's verdict: the condition behind `key` became true. */
export interface AlarmActivation {
  type: 'activate';
  key: string;
  rule: AlarmRuleCode;
  at: number;
  priority: AlarmPriority;
  latched: boolean;
  assetId: string | null;
  /** the ward (district) id: flood groups and filters */
  wardId: string | null;
  /** the title's params; its code is the rule */
  params: AlarmTitleParams;
  lat: number | null;
  lon: number | null;
}

/** A rule's verdict: the condition behind `key` is gone. */
export interface AlarmClear {
  type: 'clear';
  key: string;
  rule: AlarmRuleCode;
  at: number;
}

export type AlarmSignal = AlarmActivation | AlarmClear;

/** What every rule returns: its state for the next call and what changed. */
export interface RuleResult<S> {
  state: S;
  signals: AlarmSignal[];
}

/** Where an alarm is and what it is about. */
export interface AlarmPlace {
  assetId: string | null;
  wardId: string | null;
  lat: number | null;
  lon: number | null;
}

/**
 * An activation under `cfg`. Critical alarms are always latched (issue 13: they stay until
 * acknowledged even when they clear); `priority` overrides the rule's where the input says more
 * (a fire, a severity-5 incident).
 */
export function activation(
  cfg: AlarmRuleConfig,
  key: string,
  at: number,
  place: AlarmPlace,
  params: AlarmTitleParams,
  priority: AlarmPriority = cfg.priority,
): AlarmActivation {
  return {
    type: 'activate',
    key,
    rule: cfg.rule,
    at,
    priority,
    latched: cfg.latched || priority === 1,
    ...place,
    params,
  };
}

export const clearOf = (rule: AlarmRuleCode, key: string, at: number): AlarmClear => ({
  type: 'clear',
  key,
  rule,
  at,
});

/** Place of an asset not on the map (the system itself). */
export const NOWHERE: AlarmPlace = { assetId: null, wardId: null, lat: null, lon: null };
