import { TextLayer } from '@deck.gl/layers';
import { type UnitItem, type UnitStatus, unitStale } from '#contract/units.ts';
import type { RGBA } from './style.ts';

/** A unit on the map: where it last was, what it is doing, and whether that position is still trusted. */
export interface UnitPoint {
  id: string;
  name: string;
  position: [number, number];
  status: UnitStatus;
  stale: boolean;
  ts: number;
  /** whole minutes since the last position (shown on a stale unit's label) */
  ageMin: number;
}

/**
 * Status by colour AND by glyph and outline (colour is never the only signal): a rounded green tag with
 * a tick when free, a square blue tag with an arrow when sent, a square violet tag with a flag on scene.
 */
export const UNIT_COLORS: Record<UnitStatus, RGBA> = {
  available: [34, 197, 94, 255],
  dispatched: [59, 130, 246, 255],
  on_scene: [168, 85, 247, 255],
};
export const UNIT_STALE_COLOR: RGBA = [100, 110, 125, 255];
export const UNIT_GLYPHS: Record<UnitStatus, string> = { available: '✓', dispatched: '➜', on_scene: '⚑' };
/** corner radius of each status's tag, in pixels: a pill, or a square */
export const UNIT_RADIUS: Record<UnitStatus, number> = { available: 13, dispatched: 2, on_scene: 2 };

/** A name longer than this is cut on the map (the panel has it whole). */
const NAME_MAX = 14;

/** The text on a unit's tag: its status glyph, its name, and for a stale one how old its position is. */
export function unitLabel(p: UnitPoint): string {
  const name = p.name.length > NAME_MAX ? `${p.name.slice(0, NAME_MAX - 1).trimEnd()}…` : p.name;
  return p.stale ? `${UNIT_GLYPHS[p.status]} ${name} · ${p.ageMin}′` : `${UNIT_GLYPHS[p.status]} ${name}`;
}

/** The units to draw now: on duty with a position; fresh ones last, so they are drawn on top of stale ones. */
export function unitPoints(items: Iterable<UnitItem>, now: number): UnitPoint[] {
  const out: UnitPoint[] = [];
  for (const u of items) {
    if (!u.onDuty || u.lat === undefined || u.lon === undefined || u.ts === undefined) continue;
    out.push({
      id: u.id,
      name: u.name,
      position: [u.lon, u.lat],
      status: u.status,
      stale: unitStale(u, now),
      ts: u.ts,
      ageMin: Math.max(0, Math.floor((now - u.ts) / 60_000)),
    });
  }
  return out.sort((a, b) => Number(b.stale) - Number(a.stale) || a.id.localeCompare(b.id));
}

/** What the drawing depends on: the same key, the same picture. */
export const unitKey = (points: UnitPoint[]): string =>
  points
    .map((p) => `${p.id}:${p.position[0]}:${p.position[1]}:${p.status}:${p.stale ? p.ageMin : '-'}:${p.name}`)
    .join(',');

export interface UnitLayerState {
  points: UnitPoint[];
  version: number;
  visible: boolean;
  selectedId?: string;
}

const FONT = '"DejaVu Sans", "Noto Sans", sans-serif';
const DARK: RGBA = [10, 14, 22, 255];

/** The layer ids the map picks units from (one per status: the tag's outline differs by status). */
export const UNIT_LAYER_IDS = ['units-available', 'units-dispatched', 'units-on_scene'] as const;

/** Units as tags on the map, one text layer per status so that each status has its own outline. */
export function unitLayers(s: UnitLayerState) {
  return (['available', 'dispatched', 'on_scene'] as const).map(
    (status) =>
      new TextLayer<UnitPoint>({
        id: `units-${status}`,
        data: s.points.filter((p) => p.status === status),
        visible: s.visible,
        pickable: true,
        getPosition: (p) => p.position,
        getText: unitLabel,
        getSize: 16,
        sizeUnits: 'pixels',
        fontFamily: FONT,
        fontWeight: 700,
        // names carry Vietnamese letters: the atlas grows with what is shown
        characterSet: 'auto',
        // dark figures on every status colour (white on the blue and violet is under 4.5:1), light on grey
        getColor: (p) => (p.stale ? [235, 238, 243, 255] : DARK),
        background: true,
        backgroundPadding: [7, 4],
        backgroundBorderRadius: UNIT_RADIUS[status],
        getBackgroundColor: (p) => (p.stale ? UNIT_STALE_COLOR : UNIT_COLORS[status]),
        getBorderColor: (p) => (p.id === s.selectedId ? [255, 255, 255, 255] : DARK),
        getBorderWidth: (p) => (p.id === s.selectedId ? 3 : 1.5),
        getTextAnchor: 'middle',
        getAlignmentBaseline: 'center',
        updateTriggers: {
          getPosition: s.version,
          getText: s.version,
          getColor: s.version,
          getBackgroundColor: s.version,
          getBorderColor: [s.version, s.selectedId],
          getBorderWidth: [s.version, s.selectedId],
        },
      }),
  );
}
