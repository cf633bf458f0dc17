import type { AlarmRuleConfig } from '#contract/alarms.ts';
import { activation, clearOf, type RuleResult } from '../signals.ts';
import { type Debounce, stepAll } from './debounce.ts';

export interface SegmentInfo {
  id: string;
  name: string;
  speedLimitKmh: number;
  wardId: string | null;
  lat: number | null;
  lon: number | null;
}

export interface RoadJamState {
  segments: Map<string, Debounce>;
  /** the latest speed per segment, for the title */
  speed: Map<string, number>;
}
export const roadJamInit = (): RoadJamState => ({ segments: new Map(), speed: new Map() });

/**
 * `road_jam`: a segment whose speed stays below `threshold` × its limit for `delayMs` is jammed; it
 * clears only once the speed has stayed above (`threshold` + `margin`) × the limit for `clearDelayMs`
 * (hysteresis: one fast reading, or speeds between the two points, do not clear it).
 */
export function roadJam(
  state: RoadJamState,
  readings: ReadonlyArray<{ id: string; ts: number; speedKmh: number }>,
  segments: ReadonlyMap<string, SegmentInfo>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<RoadJamState> {
  const key = (id: string) => `road_jam:${id}`;
  if (!cfg.enabled) return disabled(state, now);
  const trip = cfg.threshold ?? 0.3;
  const reset = trip + (cfg.margin ?? 0);
  const speed = new Map(state.speed);
  const samples = readings.flatMap((r) => {
    const seg = segments.get(r.id);
    if (!seg || seg.speedLimitKmh <= 0) return [];
    speed.set(r.id, r.speedKmh);
    const ratio = r.speedKmh / seg.speedLimitKmh;
    return [{ key: r.id, ts: r.ts, tripped: ratio < trip, reset: ratio > reset }];
  });
  const step = stepAll(state.segments, samples, now, cfg.delayMs, cfg.clearDelayMs);
  const signals = [
    ...step.cleared.map((id) => clearOf('road_jam', key(id), now)),
    ...step.activated.flatMap((id) => {
      const seg = segments.get(id);
      if (!seg) return [];
      return [
        activation(
          cfg,
          key(id),
          now,
          { assetId: id, wardId: seg.wardId, lat: seg.lat, lon: seg.lon },
          { segment: seg.name, speedKmh: Math.round(speed.get(id) ?? 0), limitKmh: seg.speedLimitKmh },
        ),
      ];
    }),
  ];
  for (const id of speed.keys()) if (!step.states.has(id)) speed.delete(id);
  return { state: { segments: step.states, speed }, signals };
}

function disabled(state: RoadJamState, now: number): RuleResult<RoadJamState> {
  const signals = [...state.segments]
    .filter(([, d]) => d.active)
    .map(([id]) => clearOf('road_jam', `road_jam:${id}`, now));
  return { state: roadJamInit(), signals };
}
