import { PathLayer } from '@deck.gl/layers';
import type { TrafficItem } from '../../../server/contracts/live.ts';
import type { MapSegment } from '../city.ts';
import { SPEED_COLORS, SPEED_WIDTHS, trafficLevel } from './style.ts';

export interface TrafficLayerState {
  segments: MapSegment[];
  traffic: Map<string, TrafficItem>;
  /** bumped when any reading changed */
  version: number;
  /** server time, rounded to a few seconds so staleness is re-evaluated without redrawing every frame */
  now: number;
  visible: boolean;
}

/**
 * Road segments coloured by speed relative to their limit; the data array never changes, only
 * the colour and width attributes are recomputed when `version` or `now` moves.
 */
export function trafficLayer(s: TrafficLayerState): PathLayer<MapSegment> {
  const level = (seg: MapSegment) => trafficLevel(s.traffic.get(seg.id), seg.speedLimitKmh, s.now);
  return new PathLayer<MapSegment>({
    id: 'traffic',
    data: s.segments,
    visible: s.visible,
    pickable: true,
    autoHighlight: true,
    highlightColor: [255, 255, 255, 90],
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getPath: (seg) => seg.coords,
    getColor: (seg) => SPEED_COLORS[level(seg)],
    getWidth: (seg) => SPEED_WIDTHS[level(seg)],
    updateTriggers: { getColor: [s.version, s.now], getWidth: [s.version, s.now] },
  });
}

/** A dark casing under the roads so the colours hold against any basemap. */
export function trafficCasingLayer(s: TrafficLayerState): PathLayer<MapSegment> {
  return new PathLayer<MapSegment>({
    id: 'traffic-casing',
    data: s.segments,
    visible: s.visible,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getPath: (seg) => seg.coords,
    getColor: [4, 8, 16, 220],
    getWidth: (seg) => SPEED_WIDTHS[trafficLevel(s.traffic.get(seg.id), seg.speedLimitKmh, s.now)] + 3,
    updateTriggers: { getWidth: [s.version, s.now] },
  });
}

/** A white halo around the selected segment. */
export function selectedSegmentLayer(seg: MapSegment | undefined): PathLayer<MapSegment> {
  return new PathLayer<MapSegment>({
    id: 'traffic-selected',
    data: seg ? [seg] : [],
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getPath: (x) => x.coords,
    getColor: [255, 255, 255, 200],
    getWidth: 16,
  });
}
