import type { Feature, FeatureCollection, Polygon } from 'geojson';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { StyleSpecification } from 'maplibre-gl';
import { cityBasemapData } from '../map/basemap.ts';
import { type MapCity, parseCity } from '../map/city.ts';

maplibregl.setWorkerUrl(workerUrl);

/** Sunlight palette: pale land, dark roads, so the pin and the streets read outdoors. */
const LIGHT = {
  sea: '#bcd6ee',
  district: '#f3f1ea',
  districtLine: '#8c8473',
  water: '#9cc3e6',
  road: '#4b5563',
  roadCasing: '#ffffff',
  accuracy: '#0a4fd6',
} as const;

const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** A light, label-free style of the city's districts, water and roads (no tiles, no glyphs). */
export function lightCityStyle(city: MapCity): StyleSpecification {
  const data = cityBasemapData(city);
  return {
    version: 8,
    name: 'ioc-field-light',
    sources: {
      districts: { type: 'geojson', data: data.districts },
      water: { type: 'geojson', data: data.water },
      roads: { type: 'geojson', data: data.roads },
      accuracy: { type: 'geojson', data: empty },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': LIGHT.sea } },
      { id: 'district-fill', type: 'fill', source: 'districts', paint: { 'fill-color': LIGHT.district } },
      { id: 'water-fill', type: 'fill', source: 'water', paint: { 'fill-color': LIGHT.water } },
      {
        id: 'district-line',
        type: 'line',
        source: 'districts',
        paint: { 'line-color': LIGHT.districtLine, 'line-width': 1, 'line-dasharray': [3, 2] },
      },
      {
        id: 'road-casing',
        type: 'line',
        source: 'roads',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': LIGHT.roadCasing,
          'line-width': ['interpolate', ['linear'], ['zoom'], 12, 2.5, 17, 10],
        },
      },
      {
        id: 'roads',
        type: 'line',
        source: 'roads',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': LIGHT.road,
          'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1, 17, 6],
        },
      },
      {
        id: 'accuracy-fill',
        type: 'fill',
        source: 'accuracy',
        paint: { 'fill-color': LIGHT.accuracy, 'fill-opacity': 0.12 },
      },
      {
        id: 'accuracy-line',
        type: 'line',
        source: 'accuracy',
        paint: { 'line-color': LIGHT.accuracy, 'line-width': 1.5, 'line-opacity': 0.6 },
      },
    ],
  };
}

/** A circle of `radiusM` metres around a point, as a polygon (good enough at city scale). */
export function circlePolygon(lon: number, lat: number, radiusM: number, steps = 48): Feature<Polygon> {
  const dLat = radiusM / 111_320;
  const dLon = radiusM / (111_320 * Math.cos((lat * Math.PI) / 180));
  const ring: number[][] = [];
  for (let i = 0; i <= steps; i++) {
    const a = (i / steps) * 2 * Math.PI;
    ring.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } };
}

export interface PinMap {
  /** moves the pin (and the view) to a position, with the GPS accuracy circle when given */
  setPosition(lon: number, lat: number, accuracyM?: number): void;
  destroy(): void;
}

let cityCache: Promise<MapCity> | undefined;

/** The city model, fetched once per page (the service worker keeps a copy for offline use). */
export function loadCity(): Promise<MapCity> {
  cityCache ??= fetch('/api/city', { headers: { accept: 'application/json' } })
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    })
    .then(parseCity)
    .catch((err) => {
      cityCache = undefined;
      throw err;
    });
  return cityCache;
}

/** A small map with one draggable pin; `onMove` fires when the reporter moves it by hand. */
export async function createPinMap(
  container: HTMLElement,
  start: { lon: number; lat: number } | null,
  onMove: (lon: number, lat: number) => void,
): Promise<PinMap> {
  const city = await loadCity();
  const [w, s, e, n] = city.bbox;
  const centre = start ?? { lon: (w + e) / 2, lat: (s + n) / 2 };
  const map = new maplibregl.Map({
    container,
    style: lightCityStyle(city),
    center: [centre.lon, centre.lat],
    zoom: start ? 16 : 12,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    maxBounds: [w - 0.2, s - 0.2, e + 0.2, n + 0.2],
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const pinEl = document.createElement('div');
  pinEl.className = 'pin';
  pinEl.setAttribute('data-testid', 'map-pin');
  pinEl.innerHTML =
    '<svg viewBox="0 0 32 44" width="40" height="55" aria-hidden="true"><path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" fill="#d92d20" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="5.5" fill="#fff"/></svg>';
  const marker = new maplibregl.Marker({ element: pinEl, draggable: true, anchor: 'bottom' })
    .setLngLat([centre.lon, centre.lat])
    .addTo(map);
  const setAccuracy = (lon: number, lat: number, accuracyM?: number) => {
    const src = map.getSource('accuracy') as maplibregl.GeoJSONSource | undefined;
    src?.setData(
      accuracyM && accuracyM > 0
        ? { type: 'FeatureCollection', features: [circlePolygon(lon, lat, accuracyM)] }
        : empty,
    );
  };
  marker.on('dragend', () => {
    const p = marker.getLngLat();
    setAccuracy(p.lng, p.lat);
    onMove(p.lng, p.lat);
  });
  map.on('click', (ev) => {
    marker.setLngLat(ev.lngLat);
    setAccuracy(ev.lngLat.lng, ev.lngLat.lat);
    onMove(ev.lngLat.lng, ev.lngLat.lat);
  });
  let pendingAccuracy: [number, number, number | undefined] | undefined;
  map.on('load', () => {
    if (pendingAccuracy) setAccuracy(...pendingAccuracy);
  });
  return {
    setPosition(lon, lat, accuracyM) {
      marker.setLngLat([lon, lat]);
      if (map.loaded()) setAccuracy(lon, lat, accuracyM);
      else pendingAccuracy = [lon, lat, accuracyM];
      map.easeTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 16), duration: 400 });
    },
    destroy() {
      map.remove();
    },
  };
}
