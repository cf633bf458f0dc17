import type { FeatureCollection, LineString } from 'geojson';
import type * as maplibregl from 'maplibre-gl';
import type { LonLat } from '#contract/assets.ts';
import type { SpeedLevel } from '#contract/live.ts';
import { SPEED_WIDTHS } from './layers/style.ts';

export const CASING_SOURCE = 'ioc-traffic-casing';
export const CASING_LAYER = 'ioc-traffic-casing';
/** Dark border on each side of a road line, in pixels. */
export const CASING_PX = 1.5;
export const CASING_COLOR = 'rgba(4, 8, 16, 0.86)';

/** The roads as GeoJSON lines with their index as feature id (the key of their feature state). */
export function casingData(paths: LonLat[][]): FeatureCollection<LineString> {
  return {
    type: 'FeatureCollection',
    features: paths.map((coordinates, id) => ({
      type: 'Feature',
      id,
      properties: {},
      geometry: { type: 'LineString', coordinates },
    })),
  };
}

/**
 * The dark casing under the traffic lines, so their colours hold against any basemap and the
 * gaps of a dashed (congested) line read as gaps. Drawn by MapLibre on top of the basemap (offline
 * or a `?style=` URL), not by deck.gl: MapLibre draws it only when the view moves or a level
 * changes, while the overlay redraws its layers more often (and a second road layer in the overlay
 * doubled its cost per frame). Its width follows each road's level through feature state.
 */
export function addTrafficCasing(map: maplibregl.Map, paths: LonLat[][]): void {
  if (map.getLayer(CASING_LAYER)) return;
  if (!map.getSource(CASING_SOURCE))
    map.addSource(CASING_SOURCE, { type: 'geojson', data: casingData(paths) });
  map.addLayer({
    id: CASING_LAYER,
    type: 'line',
    source: CASING_SOURCE,
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': CASING_COLOR,
      'line-width': ['+', 2 * CASING_PX, ['coalesce', ['feature-state', 'w'], SPEED_WIDTHS.unknown]],
    },
  });
}

export function setCasingLevel(map: maplibregl.Map, index: number, level: SpeedLevel): void {
  map.setFeatureState({ source: CASING_SOURCE, id: index }, { w: SPEED_WIDTHS[level] });
}

export function setCasingVisible(map: maplibregl.Map, visible: boolean): void {
  const v = visible ? 'visible' : 'none';
  if (map.getLayer(CASING_LAYER) && map.getLayoutProperty(CASING_LAYER, 'visibility') !== v)
    map.setLayoutProperty(CASING_LAYER, 'visibility', v);
}
