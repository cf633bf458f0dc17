import { signal } from '@preact/signals';
import { ALARM_RULE_DEFAULTS } from '#contract/alarmVocab.ts';
import type { CrowdThresholds } from '#contract/hotspots.ts';
import { api } from './api.ts';

/** Thresholds are read again this often: an admin may change them while the wall runs for days. */
const RELOAD_MS = 60_000;
const FALLBACK = ALARM_RULE_DEFAULTS.crowd_hotspot.threshold ?? 50;

/** The hotspot thresholds (`GET /api/crowd-thresholds`): the default and each camera's own. */
export const crowdThresholds = signal<CrowdThresholds | null>(null);
/** bumped on every answer: the map redraws the circles' colours */
export const crowdThresholdsLoads = signal(0);
let byCamera = new Map<string, number>();

/** A camera's threshold: its own, else the default (the shipped one until the server has answered). */
export function thresholdOf(cameraId: string): number {
  return byCamera.get(cameraId) ?? crowdThresholds.value?.defaultThreshold ?? FALLBACK;
}

async function load(): Promise<void> {
  try {
    const t = await api.crowdThresholds();
    byCamera = new Map(t.items.map((x) => [x.cameraId, x.threshold]));
    crowdThresholds.value = t;
    crowdThresholdsLoads.value++;
  } catch (err) {
    // the layer keeps the thresholds it had (or the shipped default) and tries again
    console.warn('crowd thresholds unavailable', err);
  }
}

/** Reads the thresholds now and every minute. */
export function startCrowdThresholds(): void {
  void load();
  setInterval(() => void load(), RELOAD_MS);
}
