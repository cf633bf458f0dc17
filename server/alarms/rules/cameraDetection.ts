import type { AlarmRuleConfig } from '#contract/alarms.ts';
import type { CameraEventKind } from '#contract/vocab.ts';
import { activation, clearOf, type RuleResult } from '../signals.ts';
import type { AssetInfo } from './cameraOffline.ts';

/** Detections an operator must answer; the others (vehicle counts, congestion) are figures, not alarms. */
export const SERIOUS_DETECTIONS: readonly CameraEventKind[] = ['accident', 'fire', 'flood', 'wrong_way'];
/** A detection older than this when it arrives (backfill, a late device) raises nothing. */
export const DETECTION_MAX_AGE_MS = 10 * 60_000;

export interface CameraDetectionState {
  /** alarm key → time of the latest detection behind it */
  active: Map<string, number>;
}
export const cameraDetectionInit = (): CameraDetectionState => ({ active: new Map() });

/**
 * `camera_detection`: a serious detection (confidence ≥ `threshold` when the camera gives one) raises
 * an alarm per camera and kind; repeats keep it up, and it clears `clearDelayMs` after the last one
 * (latched by default, so an unanswered one stays until acknowledged). A fire is critical.
 */
export function cameraDetection(
  state: CameraDetectionState,
  events: ReadonlyArray<{ cameraId: string; time: number; kind: CameraEventKind; confidence: number | null }>,
  cameras: ReadonlyMap<string, AssetInfo>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<CameraDetectionState> {
  const active = new Map(state.active);
  const signals: RuleResult<CameraDetectionState>['signals'] = [];
  if (!cfg.enabled) {
    for (const k of active.keys()) signals.push(clearOf(cfg.rule, k, now));
    return { state: cameraDetectionInit(), signals };
  }
  const minConfidence = cfg.threshold ?? 0;
  for (const e of [...events].sort((a, b) => a.time - b.time)) {
    if (!SERIOUS_DETECTIONS.includes(e.kind)) continue;
    if (e.confidence !== null && e.confidence < minConfidence) continue;
    if (now - e.time > DETECTION_MAX_AGE_MS) continue;
    const cam = cameras.get(e.cameraId);
    if (!cam) continue;
    const key = `camera_detection:${e.cameraId}:${e.kind}`;
    const last = active.get(key);
    active.set(key, Math.max(last ?? e.time, e.time));
    if (last !== undefined) continue;
    signals.push(
      activation(
        cfg,
        key,
        now,
        { assetId: e.cameraId, wardId: cam.wardId, lat: cam.lat, lon: cam.lon },
        {
          camera: cam.name,
          kind: e.kind,
          confidencePct: e.confidence === null ? null : Math.round(e.confidence * 100),
        },
        e.kind === 'fire' ? 1 : cfg.priority,
      ),
    );
  }
  for (const [key, last] of active)
    if (now - last >= cfg.clearDelayMs) {
      active.delete(key);
      signals.push(clearOf(cfg.rule, key, now));
    }
  return { state: { active }, signals };
}
