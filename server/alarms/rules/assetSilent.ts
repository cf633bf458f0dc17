import type { AlarmRuleConfig } from '#contract/alarms.ts';
import { activation, clearOf, type RuleResult } from '../signals.ts';
import type { AssetInfo } from './cameraOffline.ts';

export interface SilentAsset extends AssetInfo {
  kind: 'segment' | 'camera' | 'device';
  /** epoch ms of its latest message; null = never heard from (not an alarm: it may not be installed yet) */
  lastSeen: number | null;
}

export interface AssetSilentState {
  /** asset ids with an active alarm */
  active: Set<string>;
}
export const assetSilentInit = (): AssetSilentState => ({ active: new Set() });

/**
 * `asset_silent`: an asset not heard from for `delayMs` (last seen); it clears with its next message.
 * `assets` is every asset the caller knows: one that is no longer listed (removed from the city
 * model) clears.
 */
export function assetSilent(
  state: AssetSilentState,
  assets: ReadonlyArray<SilentAsset>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<AssetSilentState> {
  const key = (id: string) => `asset_silent:${id}`;
  const active = new Set<string>();
  const signals: RuleResult<AssetSilentState>['signals'] = [];
  if (cfg.enabled)
    for (const a of assets) {
      const silent = a.lastSeen !== null && now - a.lastSeen >= cfg.delayMs;
      if (!silent) continue;
      active.add(a.id);
      if (!state.active.has(a.id))
        signals.push(
          activation(
            cfg,
            key(a.id),
            now,
            { assetId: a.id, wardId: a.wardId, lat: a.lat, lon: a.lon },
            { asset: a.name, kind: a.kind, lastSeen: a.lastSeen },
          ),
        );
    }
  for (const id of state.active) if (!active.has(id)) signals.push(clearOf(cfg.rule, key(id), now));
  return { state: { active }, signals };
}
