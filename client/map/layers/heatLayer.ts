import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import type { IncidentItem } from '../../../server/contracts/live.ts';

export const HEAT_PERIODS = ['1h', '6h', '24h', '7d'] as const;
export type HeatPeriod = (typeof HEAT_PERIODS)[number];
export const HEAT_PERIOD_MS: Record<HeatPeriod, number> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
};

/** Incidents reported within the period ending at `now`. */
export function incidentsInPeriod(
  incidents: Iterable<IncidentItem>,
  period: HeatPeriod,
  now: number,
): IncidentItem[] {
  const from = now - HEAT_PERIOD_MS[period];
  const out: IncidentItem[] = [];
  for (const i of incidents) if (i.ts >= from && i.ts <= now + 60_000) out.push(i);
  return out;
}

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
