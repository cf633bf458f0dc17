import type { CameraItem, IncidentItem, SpeedLevel, TrafficItem } from '#contract/live.ts';
import { speedLevel } from '#contract/live.ts';
import type { IncidentCategory } from '#contract/vocab.ts';

export type RGBA = [number, number, number, number];

/** A reading older than this is shown grey: the wall never shows an old speed as current. */
export const TRAFFIC_STALE_MS = 2 * 60_000;
/** A camera event this recent marks the camera. */
export const CAMERA_EVENT_WINDOW_MS = 10 * 60_000;

export const SPEED_LEVELS: SpeedLevel[] = ['free', 'slow', 'heavy', 'jam', 'unknown'];

export const SPEED_COLORS: Record<SpeedLevel, RGBA> = {
  free: [34, 197, 94, 255],
  slow: [250, 204, 21, 255],
  heavy: [249, 115, 22, 255],
  jam: [239, 35, 60, 255],
  unknown: [100, 110, 125, 200],
};

/** Line width in pixels: congestion also reads by width, so colour is not the only signal. */
export const SPEED_WIDTHS: Record<SpeedLevel, number> = { free: 3, slow: 4.5, heavy: 7, jam: 9, unknown: 2 };

/**
 * Dash pattern in pixels, `[dash, gap]`, drawn with round caps: congestion reads by pattern too
 * (for colour-blind operators and on a washed-out wall). A round cap adds half the line's width
 * at each end of a dash, so what shows is a `dash + width` pill and a `gap - width` gap: heavy is
 * long dashes (18 px, 7 px gaps), jammed is short beads (12 px, 7 px gaps); free flow, slow and
 * no data are solid (`[0, 0]`).
 */
export const SPEED_DASHES: Record<SpeedLevel, [number, number]> = {
  free: [0, 0],
  slow: [0, 0],
  heavy: [11, 14],
  jam: [3, 16],
  unknown: [0, 0],
};

/** The same pattern for an SVG `stroke-dasharray` (round caps too); `undefined` when solid. */
export function svgDash(level: SpeedLevel): string | undefined {
  const [dash, gap] = SPEED_DASHES[level];
  return gap > 0 ? `${dash} ${gap}` : undefined;
}

/** The level a segment is drawn with at `now`; `unknown` when there is no recent reading. */
export function trafficLevel(item: TrafficItem | undefined, limitKmh: number, now: number): SpeedLevel {
  if (!item || now - item.ts > TRAFFIC_STALE_MS) return 'unknown';
  return item.level && item.level !== 'unknown' ? item.level : speedLevel(item.speedKmh, limitKmh);
}

export type CameraStatus = 'online' | 'offline' | 'event' | 'unknown';
export const CAMERA_STATUSES: CameraStatus[] = ['event', 'offline', 'online', 'unknown'];

/**
 * How bad a status is, for a cluster's colour: a camera that has just seen something needs an
 * operator now; an offline one needs maintenance; unknown (never reported) is below offline.
 */
export const CAMERA_RANK: Record<CameraStatus, number> = { event: 3, offline: 2, unknown: 1, online: 0 };

export const CAMERA_COLORS: Record<CameraStatus, RGBA> = {
  online: [56, 189, 248, 255],
  offline: [200, 48, 72, 255],
  event: [232, 72, 240, 255],
  unknown: [120, 128, 140, 255],
};

const QUIET_EVENTS = new Set(['vehicle_count']);

export function cameraStatus(item: CameraItem | undefined, now: number): CameraStatus {
  if (!item) return 'unknown';
  if (!item.online) return 'offline';
  const ev = item.lastEvent;
  if (ev && !QUIET_EVENTS.has(ev.kind) && now - ev.ts <= CAMERA_EVENT_WINDOW_MS) return 'event';
  return 'online';
}

/** The worst of several statuses (an empty list is `unknown`). */
export function worstStatus(statuses: Iterable<CameraStatus>): CameraStatus {
  let worst: CameraStatus | undefined;
  for (const s of statuses) if (worst === undefined || CAMERA_RANK[s] > CAMERA_RANK[worst]) worst = s;
  return worst ?? 'unknown';
}

export const CATEGORY_COLORS: Record<IncidentCategory, RGBA> = {
  traffic_accident: [239, 35, 60, 255],
  traffic_jam: [245, 158, 11, 255],
  flooding: [59, 130, 246, 255],
  fire: [255, 99, 20, 255],
  public_order: [168, 85, 247, 255],
  environment: [34, 197, 94, 255],
  infrastructure: [190, 150, 100, 255],
  lighting: [253, 224, 71, 255],
  waste: [132, 204, 22, 255],
  other: [160, 170, 185, 255],
};

/** Radius in pixels by severity 1..5. */
export function incidentRadius(severity: number): number {
  const s = Math.min(5, Math.max(1, Math.round(severity || 1)));
  return 7 + s * 2.5;
}

/** Incidents still on the operators' plate. */
export function isOpen(i: IncidentItem): boolean {
  return i.status !== 'closed' && i.status !== 'resolved';
}

export function toCss([r, g, b, a]: RGBA): string {
  return `rgba(${r}, ${g}, ${b}, ${(a / 255).toFixed(2)})`;
}

/** How the legend and the hover card draw a line of that level: the geometry of a short SVG line. */
export function trafficSwatch(level: SpeedLevel, length = 44) {
  const width = SPEED_WIDTHS[level];
  const height = Math.ceil(width + 4);
  return {
    length,
    height,
    x1: width / 2 + 1,
    x2: length - width / 2 - 1,
    y: height / 2,
    width,
    color: toCss(SPEED_COLORS[level]),
    dash: svgDash(level),
    // the map starts each road with a whole dash (MapLibre's dash pattern), and so does this
    dashOffset: 0,
  };
}

/** The same line as SVG markup, for HTML built as a string (the hover card). */
export function trafficSwatchSvg(level: SpeedLevel, length = 44): string {
  const g = trafficSwatch(level, length);
  const pattern = g.dash ? ` stroke-dasharray="${g.dash}" stroke-dashoffset="${g.dashOffset}"` : '';
  return `<svg class="sw-path" width="${g.length}" height="${g.height}" viewBox="0 0 ${g.length} ${g.height}" aria-hidden="true"><line x1="${g.x1}" y1="${g.y}" x2="${g.x2}" y2="${g.y}" stroke="${g.color}" stroke-width="${g.width}" stroke-linecap="round"${pattern}/></svg>`;
}

/**
 * Alarm priorities (1 critical … 4 low): a colour, and a shape and the number, so colour is never
 * the only signal (ISA-101): a triangle, a diamond, a square, a circle.
 */
export const ALARM_COLORS: Record<1 | 2 | 3 | 4, RGBA> = {
  1: [239, 35, 60, 255],
  2: [249, 115, 22, 255],
  3: [250, 204, 21, 255],
  4: [56, 189, 248, 255],
};
export const ALARM_SHAPES: Record<1 | 2 | 3 | 4, 'triangle' | 'diamond' | 'square' | 'circle'> = {
  1: 'triangle',
  2: 'diamond',
  3: 'square',
  4: 'circle',
};
/** The same shapes as glyphs, for the map's text layers. */
export const ALARM_GLYPHS: Record<1 | 2 | 3 | 4, string> = { 1: '▲', 2: '◆', 3: '■', 4: '●' };
