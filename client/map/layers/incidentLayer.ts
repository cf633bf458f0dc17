import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { IncidentItem } from '#contract/live.ts';
import { CATEGORY_COLORS, incidentRadius } from './style.ts';

export interface IncidentLayerState {
  /** open incidents, rebuilt only when the incidents layer changed */
  open: IncidentItem[];
  version: number;
  visible: boolean;
  selectedId?: string;
}

const pos = (i: IncidentItem): [number, number] => [i.lon, i.lat];

/** Incidents by category (colour) and severity (size); new ones have a white ring (and pulse: PulseMarkers). */
export function incidentLayers(s: IncidentLayerState) {
  return [
    new ScatterplotLayer<IncidentItem>({
      id: 'incidents',
      data: s.open,
      visible: s.visible,
      pickable: true,
      radiusUnits: 'pixels',
      lineWidthUnits: 'pixels',
      stroked: true,
      getPosition: pos,
      getRadius: (i) => incidentRadius(i.severity),
      getFillColor: (i) => CATEGORY_COLORS[i.category] ?? CATEGORY_COLORS.other,
      getLineColor: (i) =>
        i.id === s.selectedId
          ? [255, 255, 255, 255]
          : i.status === 'new'
            ? [255, 255, 255, 230]
            : [10, 14, 22, 255],
      getLineWidth: (i) => (i.id === s.selectedId ? 4 : 2),
      updateTriggers: {
        getRadius: s.version,
        getFillColor: s.version,
        getLineColor: [s.version, s.selectedId],
        getLineWidth: s.selectedId,
      },
    }),
    new TextLayer<IncidentItem>({
      id: 'incident-severity',
      data: s.open,
      visible: s.visible,
      getPosition: pos,
      getText: (i) => String(Math.round(i.severity || 1)),
      getSize: 13,
      sizeUnits: 'pixels',
      fontFamily: '"Noto Sans", "DejaVu Sans", sans-serif',
      fontWeight: 700,
      characterSet: '012345',
      getColor: [10, 14, 22, 255],
      updateTriggers: { getText: s.version },
    }),
  ];
}
