import { TextLayer } from '@deck.gl/layers';
import type { AlarmItem } from '#contract/alarmVocab.ts';
import { ALARM_COLORS, ALARM_GLYPHS, type RGBA } from './style.ts';

export interface AlarmLayerState {
  /** alarms with a place, watched (not shelved, not suppressed), least urgent first (drawn under) */
  marks: AlarmItem[];
  version: number;
  visible: boolean;
  selectedId?: string;
}

/** Size in pixels by priority: the most urgent is the biggest. */
export const alarmMarkSize = (p: AlarmItem['priority']): number => 36 - p * 4;

const pos = (a: AlarmItem): [number, number] => [a.lon ?? 0, a.lat ?? 0];
/** above the asset's own symbol (camera, incident), not on it */
const OFFSET: [number, number] = [0, -20];
const FONT = '"DejaVu Sans", "Noto Sans", sans-serif';
const unacked = (a: AlarmItem) => a.state === 'unack_active' || a.state === 'unack_cleared';

/** The alarms that have a mark on the map, least urgent first so the most urgent is drawn on top. */
export function alarmMarks(all: Iterable<AlarmItem>): AlarmItem[] {
  const out: AlarmItem[] = [];
  for (const a of all)
    if (a.lat !== null && a.lon !== null && a.state !== 'normal' && !a.shelved && !a.suppressed) out.push(a);
  return out.sort((a, b) => b.priority - a.priority || (a.activatedAt ?? 0) - (b.activatedAt ?? 0));
}

/**
 * An alarm on the map: its priority's shape in its colour with the number on it; a white halo while
 * unacknowledged (and around the selected one). Hover and click pick the shape (layer `alarms`).
 */
export function alarmLayers(s: AlarmLayerState) {
  const halo = s.marks.filter((a) => unacked(a) || a.id === s.selectedId);
  const common = {
    visible: s.visible,
    getPosition: pos,
    sizeUnits: 'pixels' as const,
    fontFamily: FONT,
    getPixelOffset: OFFSET,
    getTextAnchor: 'middle' as const,
    getAlignmentBaseline: 'center' as const,
  };
  return [
    new TextLayer<AlarmItem>({
      ...common,
      id: 'alarm-halo',
      data: halo,
      getText: (a) => ALARM_GLYPHS[a.priority],
      getSize: (a) => alarmMarkSize(a.priority) + 12,
      characterSet: Object.values(ALARM_GLYPHS).join(''),
      getColor: (a) => (a.id === s.selectedId ? [125, 211, 252, 255] : [255, 255, 255, 235]),
      updateTriggers: { getSize: s.version, getColor: [s.version, s.selectedId] },
    }),
    new TextLayer<AlarmItem>({
      ...common,
      id: 'alarms',
      data: s.marks,
      pickable: true,
      getText: (a) => ALARM_GLYPHS[a.priority],
      getSize: (a) => alarmMarkSize(a.priority),
      characterSet: Object.values(ALARM_GLYPHS).join(''),
      getColor: (a) => ALARM_COLORS[a.priority] as RGBA,
      updateTriggers: { getSize: s.version, getColor: s.version, getText: s.version },
    }),
    new TextLayer<AlarmItem>({
      ...common,
      id: 'alarm-priority',
      data: s.marks,
      getText: (a) => String(a.priority),
      getSize: (a) => Math.round(alarmMarkSize(a.priority) * 0.42),
      // the triangle's middle is low: its number sits lower
      getPixelOffset: (a) => [0, OFFSET[1] + (a.priority === 1 ? 3 : 0)],
      fontWeight: 800,
      characterSet: '1234',
      getColor: [10, 14, 22, 255],
      updateTriggers: { getText: s.version, getSize: s.version, getPixelOffset: s.version },
    }),
  ];
}
