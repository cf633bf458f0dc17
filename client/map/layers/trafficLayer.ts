import { PathStyleExtension, type PathStyleExtensionProps } from '@deck.gl/extensions';
import { PathLayer } from '@deck.gl/layers';
import type { TrafficItem } from '../../../server/contracts/live.ts';
import type { MapSegment } from '../city.ts';
import { SPEED_COLORS, SPEED_DASHES, SPEED_WIDTHS, trafficLevel } from './style.ts';

export interface TrafficLayerState {
  segments: MapSegment[];
  traffic: Map<string, TrafficItem>;
  /** bumped when any reading changed */
  version: number;
  /** server time, rounded to a few seconds so staleness is re-evaluated without redrawing every frame */
  now: number;
  visible: boolean;
}

/** One instance for every render: a new extension object would rebuild the layer's shaders. */
const DASHES = [new PathStyleExtension({ dash: true })];

/**
 * Road segments coloured by speed relative to their limit, wider and dashed when congested (the
 * dark casing shows through the gaps); the data array never changes, only the colour, width and
 * dash attributes are recomputed when `version` or `now` moves.
 */
export function trafficLayer(
  s: TrafficLayerState,
): PathLayer<MapSegment, PathStyleExtensionProps<MapSegment>> {
  const level = (seg: MapSegment) => trafficLevel(s.traffic.get(seg.id), seg.speedLimitKmh, s.now);
  return new PathLayer<MapSegment, PathStyleExtensionProps<MapSegment>>({
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
    extensions: DASHES,
    getDashArray: (seg) => SPEED_DASHES[level(seg)],
    dashUnits: 'pixels',
    // each piece of road starts and ends on half a dash: short segments still show their pattern
    dashJustified: true,
    updateTriggers: {
      getColor: [s.version, s.now],
      getWidth: [s.version, s.now],
      getDashArray: [s.version, s.now],
    },
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
