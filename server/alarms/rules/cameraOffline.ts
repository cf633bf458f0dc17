import type { AlarmRuleConfig } from '#contract/alarms.ts';
import { activation, clearOf, type RuleResult } from '../signals.ts';
import { type Debounce, stepAll } from './debounce.ts';

export interface AssetInfo {
  id: string;
  name: string;
  wardId: string | null;
  lat: number | null;
  lon: number | null;
}

export interface CameraOfflineState {
  cameras: Map<string, Debounce>;
}
export const cameraOfflineInit = (): CameraOfflineState => ({ cameras: new Map() });

/**
 * `camera_offline`: a camera that reports itself offline (or is reported so by its gateway) for
 * `delayMs`; it clears when it has reported online for `clearDelayMs`. A camera that reports
 * nothing at all is `asset_silent`'s.
 */
export function cameraOffline(
  state: CameraOfflineState,
  statuses: ReadonlyArray<{ id: string; ts: number; online: boolean }>,
  cameras: ReadonlyMap<string, AssetInfo>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<CameraOfflineState> {
  const key = (id: string) => `camera_offline:${id}`;
  if (!cfg.enabled)
    return {
      state: cameraOfflineInit(),
      signals: [...state.cameras].filter(([, d]) => d.active).map(([id]) => clearOf(cfg.rule, key(id), now)),
    };
  const samples = statuses
    .filter((s) => cameras.has(s.id))
    .map((s) => ({ key: s.id, ts: s.ts, tripped: !s.online, reset: s.online }));
  const step = stepAll(state.cameras, samples, now, cfg.delayMs, cfg.clearDelayMs);
  const signals = [
    ...step.cleared.map((id) => clearOf(cfg.rule, key(id), now)),
    ...step.activated.flatMap((id) => {
      const cam = cameras.get(id);
      if (!cam) return [];
      const since = state.cameras.get(id)?.tripSince ?? samples.find((s) => s.key === id)?.ts ?? now;
      return [
        activation(
          cfg,
          key(id),
          now,
          { assetId: id, wardId: cam.wardId, lat: cam.lat, lon: cam.lon },
          { camera: cam.name, offlineSince: since },
        ),
      ];
    }),
  ];
  return { state: { cameras: step.states }, signals };
}
