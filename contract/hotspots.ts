// Crowd hotspots (issue 15): people counted by cameras (camera events of kind `crowd`, `count` people),
// each against its camera's threshold. Shared by the server's alarm rule, the console's density layer
// and the admin page, free of zod so the browser bundles import it as it is.

/** A camera's count older than this is no longer a hotspot: the layer drops it and its alarm clears. */
export const HOTSPOT_MAX_AGE_MS = 15 * 60_000;

/** Share of the threshold from which a place is shown as filling up (amber), before it passes (red). */
export const HOTSPOT_BUSY_SHARE = 0.7;

/** How a count stands against its threshold: the layer's colours and legend, in this order. */
export const HOTSPOT_LEVELS = ['calm', 'busy', 'over'] as const;
export type HotspotLevel = (typeof HOTSPOT_LEVELS)[number];

/** The level of `count` people against `threshold`. */
export function hotspotLevel(count: number, threshold: number): HotspotLevel {
  if (count >= threshold) return 'over';
  if (count >= threshold * HOTSPOT_BUSY_SHARE) return 'busy';
  return 'calm';
}

/** A camera's own threshold (`PUT /api/admin/crowd-thresholds/{cameraId}`), instead of the rule's default. */
export interface CrowdThreshold {
  cameraId: string;
  /** people */
  threshold: number;
  updatedAt: number;
  updatedBy: string | null;
}

/** `GET /api/crowd-thresholds`: the default (the `crowd_hotspot` rule's threshold) and every camera's own. */
export interface CrowdThresholds {
  defaultThreshold: number;
  items: CrowdThreshold[];
}

/** Bounds of a camera's threshold, as the rule's (ALARM_RULE_META.crowd_hotspot). */
export const CROWD_THRESHOLD_MIN = 1;
export const CROWD_THRESHOLD_MAX = 100_000;
