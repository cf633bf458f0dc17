import type { AlarmRuleConfig } from '#contract/alarms.ts';
import { HOTSPOT_MAX_AGE_MS } from '#contract/hotspots.ts';
import { type AlarmSignal, activation, clearOf, type RuleResult } from '../signals.ts';
import type { AssetInfo } from './cameraOffline.ts';
import { type Debounce, type Sample, stepAll } from './debounce.ts';

export interface CrowdHotspotState {
  cameras: Map<string, Debounce>;
  /** each camera's latest count and when it was made (the title, and staleness) */
  latest: Map<string, { count: number; ts: number }>;
}
export const crowdHotspotInit = (): CrowdHotspotState => ({ cameras: new Map(), latest: new Map() });

/** One people count of a camera (a `crowd` event with a `count`). */
export interface CrowdCount {
  cameraId: string;
  ts: number;
  count: number;
}

const key = (id: string) => `crowd_hotspot:${id}`;

/** A camera's threshold: its own (crowd_thresholds), else the rule's default. */
export const thresholdOf = (
  cameraId: string,
  thresholds: ReadonlyMap<string, number>,
  cfg: Pick<AlarmRuleConfig, 'threshold'>,
): number => thresholds.get(cameraId) ?? cfg.threshold ?? 50;

/**
 * `crowd_hotspot`: a camera's people count at or past its threshold (its own, or the rule's `threshold`)
 * for `delayMs` raises an alarm; it clears once the counts have stayed below threshold × (1 − `margin`)
 * for `clearDelayMs` (hysteresis: a crowd hovering at the threshold does not chatter), or when the camera
 * has sent no count for HOTSPOT_MAX_AGE_MS (an old count says nothing about now).
 */
export function crowdHotspot(
  state: CrowdHotspotState,
  counts: readonly CrowdCount[],
  cameras: ReadonlyMap<string, AssetInfo>,
  thresholds: ReadonlyMap<string, number>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<CrowdHotspotState> {
  if (!cfg.enabled) {
    const signals: AlarmSignal[] = [...state.cameras]
      .filter(([, d]) => d.active)
      .map(([id]) => clearOf('crowd_hotspot', key(id), now));
    return { state: crowdHotspotInit(), signals };
  }
  const latest = new Map(state.latest);
  const samples: Sample[] = [];
  for (const c of counts) {
    if (!cameras.has(c.cameraId)) continue;
    const thr = thresholdOf(c.cameraId, thresholds, cfg);
    const prev = latest.get(c.cameraId);
    if (!prev || prev.ts <= c.ts) latest.set(c.cameraId, { count: c.count, ts: c.ts });
    samples.push({
      key: c.cameraId,
      ts: c.ts,
      tripped: c.count >= thr,
      reset: c.count < thr * (1 - (cfg.margin ?? 0)),
    });
  }
  // a camera gone quiet: its last count no longer holds the alarm (nor a pending one) up
  for (const [id, d] of state.cameras) {
    const l = latest.get(id);
    if ((d.active || d.tripSince !== null) && (!l || now - l.ts > HOTSPOT_MAX_AGE_MS))
      samples.push({ key: id, ts: Math.max(now, d.lastTs), tripped: false, reset: true });
  }
  const step = stepAll(state.cameras, samples, now, cfg.delayMs, cfg.clearDelayMs);
  const signals: AlarmSignal[] = [
    ...step.cleared.map((id) => clearOf('crowd_hotspot', key(id), now)),
    ...step.activated.flatMap((id) => {
      const cam = cameras.get(id);
      if (!cam) return [];
      return [
        activation(
          cfg,
          key(id),
          now,
          { assetId: id, wardId: cam.wardId, lat: cam.lat, lon: cam.lon },
          {
            camera: cam.name,
            count: latest.get(id)?.count ?? 0,
            threshold: thresholdOf(id, thresholds, cfg),
          },
        ),
      ];
    }),
  ];
  for (const id of latest.keys())
    if (!step.states.has(id) && now - (latest.get(id)?.ts ?? 0) > HOTSPOT_MAX_AGE_MS) latest.delete(id);
  return { state: { cameras: step.states, latest }, signals };
}
