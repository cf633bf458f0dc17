import type { FeatureCollection, Geometry } from 'geojson';
import type { StyleSpecification } from 'maplibre-gl';
import type { MapCity } from './city.ts';

/** The wall theme's basemap colours: dark, low contrast, so live data stands out. */
export const BASEMAP = {
  sea: '#050a14',
  land: '#0d1522',
  border: '#2b3b55',
  water: '#08182c',
  waterLine: '#143052',
  district: '#101b2d',
  districtLine: '#35507a',
  road: '#1c2838',
} as const;

const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** The city's own basemap features (districts, water, road skeleton) as GeoJSON. */
export function cityBasemapData(city: MapCity): {
  districts: FeatureCollection;
  water: FeatureCollection;
  roads: FeatureCollection;
} {
  return {
    districts: {
      type: 'FeatureCollection',
      features: city.districts.map((d) => ({
        type: 'Feature',
        properties: { id: d.id, name: d.name },
        geometry: { type: 'Polygon', coordinates: [d.ring] },
      })),
    },
    water: {
      type: 'FeatureCollection',
      features: (city.water ?? []).map((ring, i) => ({
        type: 'Feature',
        properties: { id: `water-${i}` },
        geometry: { type: 'Polygon', coordinates: [ring] },
      })),
    },
    roads: {
      type: 'FeatureCollection',
      features: city.segments.map((s) => ({
        type: 'Feature',
        properties: { id: s.id },
        geometry: { type: 'LineString', coordinates: s.coords },
      })),
    },
  };
}

/**
 * A complete offline style: sea, land and country borders (world-atlas, loaded later into the
 * `land` and `borders` sources), then the city's water, districts and roads. No glyphs or
 * sprites: labels are drawn by deck.gl.
 */
export function buildBasemapStyle(
  city: MapCity,
  world: { land?: FeatureCollection<Geometry>; borders?: FeatureCollection<Geometry> } = {},
): StyleSpecification {
  const data = cityBasemapData(city);
  return {
    version: 8,
    name: 'ioc-wall-dark',
    sources: {
      land: { type: 'geojson', data: world.land ?? empty },
      borders: { type: 'geojson', data: world.borders ?? empty },
      districts: { type: 'geojson', data: data.districts },
      water: { type: 'geojson', data: data.water },
      roads: { type: 'geojson', data: data.roads },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': BASEMAP.sea } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': BASEMAP.land } },
      {
        id: 'borders',
        type: 'line',
        source: 'borders',
        paint: { 'line-color': BASEMAP.border, 'line-width': 1 },
      },
      {
        id: 'district-fill',
        type: 'fill',
        source: 'districts',
        paint: { 'fill-color': BASEMAP.district, 'fill-opacity': 0.9 },
      },
      { id: 'water-fill', type: 'fill', source: 'water', paint: { 'fill-color': BASEMAP.water } },
      {
        id: 'water-line',
        type: 'line',
        source: 'water',
        paint: { 'line-color': BASEMAP.waterLine, 'line-width': 1 },
      },
      {
        id: 'district-line',
        type: 'line',
        source: 'districts',
        paint: { 'line-color': BASEMAP.districtLine, 'line-width': 1.2, 'line-dasharray': [3, 2] },
      },
      {
        id: 'roads',
        type: 'line',
        source: 'roads',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': BASEMAP.road,
          'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 4],
        },
      },
    ],
  };
}
