import type { Layer, PickingInfo } from '@deck.gl/core';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { FeatureCollection, Geometry } from 'geojson';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { AlarmItem } from '#contract/alarmVocab.ts';
import type { IncidentItem } from '#contract/live.ts';
import type { LiveState } from '../live/liveState.ts';
import { buildBasemapStyle } from './basemap.ts';
import type { MapCity, MapSegment } from './city.ts';
import { alarmLayers, alarmMarks } from './layers/alarmLayer.ts';
import { buildCameraIndex, type CameraPoint, cameraLayers, cameraPoints } from './layers/cameraLayer.ts';
import { type HeatPeriod, incidentsInPeriod } from './layers/heatLayer.ts';
import { type HotspotPoint, hotspotKey, hotspotLayers, hotspotPoints } from './layers/hotspotLayer.ts';
import { incidentLayers } from './layers/incidentLayer.ts';
import { districtLabels, labelLayer } from './layers/labelLayer.ts';
import { cameraStatus, isOpen } from './layers/style.ts';
import { unknownLevels, updateLevels } from './layers/trafficLayer.ts';
import { UNIT_LAYER_IDS, type UnitPoint, unitKey, unitLayers, unitPoints } from './layers/unitLayer.ts';
import { PulseMarkers } from './pulseMarkers.ts';
import { Roads } from './roads.ts';

maplibregl.setWorkerUrl(workerUrl);

export interface MapUi {
  visible: {
    traffic: boolean;
    cameras: boolean;
    incidents: boolean;
    heat: boolean;
    labels: boolean;
    alarms: boolean;
    hotspots: boolean;
    units: boolean;
  };
  heatPeriod: HeatPeriod;
  /** a camera's hotspot threshold (its own, or the default); `thresholdsVersion` moves when they change */
  hotspotThreshold: (cameraId: string) => number;
  thresholdsVersion: number;
  selection: { kind: 'segment' | 'camera' | 'incident' | 'unit'; id: string } | null;
  /** the alarm open in the alarm list: ringed on the map */
  alarmId: string | null;
}

export type Picked =
  | { kind: 'segment'; segment: MapSegment }
  | { kind: 'camera'; point: CameraPoint }
  | { kind: 'incident'; incident: IncidentItem }
  | { kind: 'alarm'; alarm: AlarmItem }
  | { kind: 'hotspot'; hotspot: HotspotPoint }
  | { kind: 'unit'; unit: UnitPoint };

export interface MapViewOptions {
  container: HTMLElement;
  city: MapCity;
  state: LiveState;
  /** server time now (clock skew corrected) */
  now: () => number;
  ui: () => MapUi;
  onSelect: (p: Picked | null) => void;
  /** HTML for the hover tooltip, already escaped */
  tooltip: (p: Picked) => string | null;
  /** `?style=` URL: a real style instead of the offline basemap */
  styleUrl?: string;
  /** a style object instead of the offline basemap (e.g. a PMTiles archive's) */
  style?: maplibregl.StyleSpecification;
  /** URL of world-atlas countries TopoJSON */
  worldUrl?: string;
  /**
   * Pixel ratio of the map's and the overlay's canvases (`?dpr=`): a 4K wall at 200 % draws four times the pixels
   * of 1080p; 1 halves the cost per side for lines that are read from metres away. Default: the
   * screen's.
   */
  pixelRatio?: number;
}

/** Seconds of granularity for re-evaluating staleness of readings. */
const STALE_STEP_MS = 5000;

/**
 * The MapLibre map, its road layers and its deck.gl overlay. Created once; `invalidate()`
 * schedules one update on the next animation frame, whatever number of updates came in: new
 * feature state for the roads whose level changed, and a new layer list for the overlay only when
 * something on it changed.
 */
export class MapView {
  readonly map: maplibregl.Map;
  private readonly overlay: MapLibreOverlay;
  private frame = 0;
  private labels;
  private cameraIndex?: ReturnType<typeof buildCameraIndex>;
  private cameraIndexVersion = -1;
  private cameraIndexBuiltAt = 0;
  private points: CameraPoint[] = [];
  private pointsKey = '';
  private pointsVersion = 0;
  /** what the overlay's layers were last built from: deck.gl redraws on every new layer list */
  private sceneKey = '';
  private incidentsVersion = -1;
  private openIncidents: IncidentItem[] = [];
  private freshIncidents: IncidentItem[] = [];
  private alarmsVersion = -1;
  private marks: AlarmItem[] = [];
  private heatKey = '';
  private hotspots: HotspotPoint[] = [];
  private hotspotsKey = '';
  private hotspotsVersion = 0;
  private hotspotsAt = '';
  private heatData: IncidentItem[] = [];
  private units: UnitPoint[] = [];
  private unitsKey = '';
  private unitsVersion = 0;
  private unitsAt = '';
  /** the heatmap's deck.gl layer, loaded the first time the heat layer is shown */
  private heatmap?: typeof import('./layers/heatmapLayer.ts');
  private heatmapLoading = false;
  /** the road network: MapLibre line layers, not the overlay */
  private readonly roads: Roads;
  /** each segment's level code, by index */
  private readonly levels: Uint8Array;
  private levelsKey = '';
  /** the road the last pick found (its index), or -1 */
  private roadUnder = -1;
  private readonly pulses: PulseMarkers;
  private staleTimer: ReturnType<typeof setInterval>;
  /** overlay updates so far and the main-thread time they took: for tests and the perf probe */
  renders = 0;
  renderMs = 0;
  /** frames the overlay has drawn (it draws only when a layer changed or the view moved) */
  drawn = 0;
  /** frames MapLibre has drawn (the basemap and the roads: when the view moved or a road changed) */
  mapDrawn = 0;

  constructor(private readonly o: MapViewOptions) {
    const [w, s, e, n] = o.city.bbox;
    this.map = new maplibregl.Map({
      container: o.container,
      style: o.style ?? o.styleUrl ?? buildBasemapStyle(o.city),
      bounds: [w, s, e, n],
      fitBoundsOptions: { padding: 40 },
      attributionControl: false,
      maxPitch: 0,
      dragRotate: false,
      // the wall is read from afar; keep the canvas so screenshots and tests can read it
      canvasContextAttributes: { preserveDrawingBuffer: true },
      // no symbol layers to fade in; a fade would only repaint the basemap for 300 ms
      fadeDuration: 0,
      // the roads are MapLibre's: `?dpr=` caps them with the overlay
      ...(o.pixelRatio ? { pixelRatio: o.pixelRatio } : {}),
    });
    this.map.touchZoomRotate.disableRotation();
    this.labels = districtLabels(o.city.districts);
    // the offline basemap's `roads` are the same segments, under the casing
    this.roads = new Roads(this.map, o.city.segments, o.style || o.styleUrl ? undefined : 'roads');
    this.levels = unknownLevels(o.city.segments.length);
    this.pulses = new PulseMarkers(this.map);
    this.map.on('load', () => {
      this.roads.add(this.levels);
      this.invalidate();
    });
    this.map.on('render', () => {
      this.mapDrawn++;
    });
    this.overlay = new MapLibreOverlay({
      interleaved: false,
      layers: [],
      useDevicePixels: o.pixelRatio ?? true,
      onAfterRender: () => {
        this.drawn++;
      },
      getTooltip: (info) => this.tooltipFor(info),
      onClick: (info) => this.onClick(info),
      // called every frame: a road under the pointer is MapLibre's, not the overlay's
      getCursor: ({ isHovering, isDragging }) =>
        isDragging ? 'grabbing' : isHovering || this.roads.hoveredIndex >= 0 ? 'pointer' : 'grab',
    });
    this.map.addControl(this.overlay);
    this.map.on('zoomend', () => this.invalidate());
    this.map.on('moveend', () => this.invalidate());
    if (!o.styleUrl && !o.style && o.worldUrl) void this.loadWorld(o.worldUrl);
    // readings age even when nothing arrives: re-evaluate staleness on a slow beat
    this.staleTimer = setInterval(() => this.invalidate(), STALE_STEP_MS);
    this.invalidate();
  }

  /** Schedules one redraw of the overlay on the next frame. */
  invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  fitCity(): void {
    const [w, s, e, n] = this.o.city.bbox;
    this.map.fitBounds([w, s, e, n], { padding: 40, duration: 600 });
  }

  flyTo(lon: number, lat: number, zoom?: number): void {
    this.map.easeTo({ center: [lon, lat], zoom: Math.max(this.map.getZoom(), zoom ?? 15), duration: 600 });
  }

  destroy(): void {
    clearInterval(this.staleTimer);
    cancelAnimationFrame(this.frame);
    this.map.remove();
  }

  private async loadWorld(url: string): Promise<void> {
    try {
      const [{ feature, mesh }, topo] = await Promise.all([
        import('topojson-client'),
        fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`world ${r.status}`)))),
      ]);
      const countries = topo.objects.countries;
      const land = feature(topo, countries) as unknown as FeatureCollection<Geometry>;
      const borders: FeatureCollection<Geometry> = {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: {}, geometry: mesh(topo, countries, (a, b) => a !== b) }],
      };
      const apply = () => {
        (this.map.getSource('land') as maplibregl.GeoJSONSource | undefined)?.setData(land);
        (this.map.getSource('borders') as maplibregl.GeoJSONSource | undefined)?.setData(borders);
      };
      if (this.map.isStyleLoaded()) apply();
      else this.map.once('load', apply);
    } catch (err) {
      // the city still draws without the world around it
      console.warn('world outlines unavailable', err);
    }
  }

  private render(): void {
    const t0 = performance.now();
    this.build();
    this.renderMs += performance.now() - t0;
    this.renders++;
  }

  private build(): void {
    const { state, city } = this.o;
    const ui = this.o.ui();
    const now = this.o.now();
    const staleNow = Math.floor(now / STALE_STEP_MS) * STALE_STEP_MS;
    const zoom = this.map.getZoom();

    // cameras: re-cluster when statuses changed (at most once a second) or the zoom level did
    if (
      !this.cameraIndex ||
      (this.cameraIndexVersion !== state.version.cameras &&
        performance.now() - this.cameraIndexBuiltAt > 1000) ||
      performance.now() - this.cameraIndexBuiltAt > 30_000
    ) {
      this.cameraIndex = buildCameraIndex(city.cameras, (id) => cameraStatus(state.cameras.get(id), now));
      this.cameraIndexVersion = state.version.cameras;
      this.cameraIndexBuiltAt = performance.now();
      this.pointsKey = '';
    } else if (this.cameraIndexVersion !== state.version.cameras) {
      setTimeout(() => this.invalidate(), 1000);
    }
    const key = `${Math.floor(zoom)}`;
    if (key !== this.pointsKey) {
      const points = cameraPoints(this.cameraIndex, zoom);
      this.pointsKey = key;
      // camera messages arrive all the time, statuses seldom change: same clusters, no redraw
      if (!samePoints(points, this.points)) {
        this.points = points;
        this.pointsVersion++;
      }
    }

    if (this.incidentsVersion !== state.version.incidents) {
      this.openIncidents = [...state.incidents.values()]
        .filter(isOpen)
        .sort((a, b) => a.severity - b.severity);
      this.freshIncidents = this.openIncidents.filter((i) => i.status === 'new');
      this.incidentsVersion = state.version.incidents;
    }
    if (this.alarmsVersion !== state.version.alarms) {
      this.marks = alarmMarks(state.alarms.values());
      this.alarmsVersion = state.version.alarms;
    }
    if (ui.visible.heat && !this.heatmap && !this.heatmapLoading) {
      this.heatmapLoading = true;
      import('./layers/heatmapLayer.ts')
        .then((m) => {
          this.heatmap = m;
          this.invalidate();
        })
        .catch((err) => {
          this.heatmapLoading = false;
          console.warn('heatmap unavailable', err);
        });
    }
    const hk = `${state.version.incidents}:${ui.heatPeriod}:${Math.floor(now / 60_000)}`;
    if (ui.visible.heat && hk !== this.heatKey) {
      this.heatData = incidentsInPeriod(state.incidents.values(), ui.heatPeriod, now);
      this.heatKey = hk;
    }

    // hotspots: when counts came in, thresholds changed, or time moved on (old counts leave)
    const hsAt = `${state.version.cameras}:${ui.thresholdsVersion}:${staleNow}`;
    if (ui.visible.hotspots && hsAt !== this.hotspotsAt) {
      this.hotspotsAt = hsAt;
      const points = hotspotPoints(state.cameras.values(), city.cameraById, ui.hotspotThreshold, now);
      const k = hotspotKey(points);
      if (k !== this.hotspotsKey) {
        this.hotspotsKey = k;
        this.hotspots = points;
        this.hotspotsVersion++;
      }
    }

    // units: when positions or statuses came in, or time moved on (a unit goes stale without a message)
    const unAt = `${state.version.units}:${staleNow}`;
    if (unAt !== this.unitsAt) {
      this.unitsAt = unAt;
      const points = unitPoints(state.units.values(), now);
      const k = unitKey(points);
      if (k !== this.unitsKey) {
        this.unitsKey = k;
        this.units = points;
        this.unitsVersion++;
      }
    }

    // levels: re-evaluated when readings came in or time moved on (staleness); a road gets new
    // feature state, and MapLibre redraws, only when its level actually changed
    const lk = `${state.version.traffic}:${staleNow}`;
    if (lk !== this.levelsKey) {
      this.levelsKey = lk;
      updateLevels(this.levels, city.segments, state.traffic, staleNow, (i, code) =>
        this.roads.setLevel(i, code),
      );
    }
    const sel = ui.selection;
    this.roads.setVisible(ui.visible.traffic);
    this.roads.select(sel?.kind === 'segment' ? city.segmentById.get(sel.id) : undefined);
    this.pulses.sync(this.freshIncidents, ui.visible.incidents);

    // nothing the overlay's layers are made of changed (the roads are not on it): no new layer
    // list, so no redraw of the overlay
    const { traffic: _roads, ...overlayVisible } = ui.visible;
    const scene = [
      this.pointsVersion,
      this.incidentsVersion,
      this.alarmsVersion,
      this.hotspotsVersion,
      this.unitsVersion,
      ui.alarmId ?? '-',
      ui.visible.heat && this.heatmap ? this.heatKey : '-',
      sel && sel.kind !== 'segment' ? `${sel.kind}:${sel.id}` : '-',
      ...Object.values(overlayVisible),
    ].join('|');
    if (scene === this.sceneKey) return;
    this.sceneKey = scene;
    const layers: Layer[] = [
      ...(this.heatmap ? [this.heatmap.heatLayer({ data: this.heatData, visible: ui.visible.heat })] : []),
      labelLayer(this.labels, ui.visible.labels),
      ...hotspotLayers({
        points: this.hotspots,
        version: this.hotspotsVersion,
        visible: ui.visible.hotspots,
      }),
      ...cameraLayers({
        points: this.points,
        visible: ui.visible.cameras,
        selectedId: sel?.kind === 'camera' ? sel.id : undefined,
      }),
      ...incidentLayers({
        open: this.openIncidents,
        version: state.version.incidents,
        visible: ui.visible.incidents,
        selectedId: sel?.kind === 'incident' ? sel.id : undefined,
      }),
      ...unitLayers({
        points: this.units,
        version: this.unitsVersion,
        visible: ui.visible.units,
        selectedId: sel?.kind === 'unit' ? sel.id : undefined,
      }),
      ...alarmLayers({
        marks: this.marks,
        version: this.alarmsVersion,
        visible: ui.visible.alarms,
        selectedId: ui.alarmId ?? undefined,
      }),
    ] as Layer[];
    this.overlay.setProps({ layers });
  }

  /** What is under the pointer: the overlay's layers first (they draw above), then the roads. */
  private picked(info: PickingInfo): Picked | null {
    this.roadUnder = -1;
    if (!info.layer || !info.object) {
      this.roadUnder = this.roads.at(info.x, info.y);
      const segment = this.o.city.segments[this.roadUnder];
      return segment ? { kind: 'segment', segment } : null;
    }
    if ((UNIT_LAYER_IDS as readonly string[]).includes(info.layer.id))
      return { kind: 'unit', unit: info.object as UnitPoint };
    switch (info.layer.id) {
      case 'cameras':
        return { kind: 'camera', point: info.object as CameraPoint };
      case 'incidents':
        return { kind: 'incident', incident: info.object as IncidentItem };
      case 'alarms':
        return { kind: 'alarm', alarm: info.object as AlarmItem };
      case 'hotspots':
        return { kind: 'hotspot', hotspot: info.object as HotspotPoint };
      default:
        return null;
    }
  }

  private tooltipFor(info: PickingInfo) {
    const p = this.picked(info);
    this.roads.hover(this.roadUnder);
    const html = p ? this.o.tooltip(p) : null;
    return html ? { html, className: 'ioc-tooltip', style: { background: 'none', padding: '0' } } : null;
  }

  private onClick(info: PickingInfo): void {
    const p = this.picked(info);
    if (p?.kind === 'camera' && p.point.clusterId !== undefined && this.cameraIndex) {
      const z = this.cameraIndex.getClusterExpansionZoom(p.point.clusterId);
      this.map.easeTo({ center: p.point.position, zoom: Math.min(z, 18), duration: 500 });
      return;
    }
    this.o.onSelect(p);
  }
}

function samePoints(a: CameraPoint[], b: CameraPoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i];
    const q = b[i];
    if (
      p.status !== q.status ||
      p.count !== q.count ||
      p.cameraId !== q.cameraId ||
      p.clusterId !== q.clusterId ||
      p.position[0] !== q.position[0] ||
      p.position[1] !== q.position[1]
    )
      return false;
  }
  return true;
}
