import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import type { IncidentItem } from '#contract/live.ts';

// Loaded the first time the heat layer is shown (it is off by default): deck.gl's aggregation
// layers stay out of the console's first download.

export interface HeatLayerState {
  /** incidents in the chosen period (rebuilt when incidents or the period change) */
  data: IncidentItem[];
  visible: boolean;
}

/** Density of incidents, weighted by severity. */
export function heatLayer(s: HeatLayerState): HeatmapLayer<IncidentItem> {
  return new HeatmapLayer<IncidentItem>({
    id: 'incident-heat',
    data: s.data,
    visible: s.visible,
    getPosition: (i) => [i.lon, i.lat],
    getWeight: (i) => Math.max(1, i.severity || 1),
    radiusPixels: 60,
    intensity: 1.2,
    threshold: 0.04,
    colorRange: [
      [30, 64, 175],
      [56, 189, 248],
      [250, 204, 21],
      [249, 115, 22],
      [239, 35, 60],
      [255, 240, 240],
    ],
  });
}
