import type * as maplibregl from 'maplibre-gl';
import type { MapSegment } from './city.ts';
import {
  CASING_LAYER,
  ROAD_LAYERS,
  ROADS_SOURCE,
  roadLayers,
  roadsData,
  SELECTED_SOURCE,
  selectedData,
} from './layers/trafficLayer.ts';

/** How far from the pointer a road still counts as under it, in pixels (a 2 px line is hard to hit). */
const PICK_PX = 3;

/**
 * The road network on the MapLibre map (not the deck.gl overlay): MapLibre draws it only when the
 * view moves or a road's state changed, in one draw per tile and layer. Added on top of the
 * basemap (offline or a `?style=` URL); the overlay's layers draw above it.
 */
export class Roads {
  private ready = false;
  private hovered = -1;
  private selected: MapSegment | undefined;
  private visible = true;

  constructor(
    private readonly map: maplibregl.Map,
    private readonly segments: MapSegment[],
    /**
     * A basemap layer that draws the same roads (the offline basemap's grey lines): hidden while
     * the casing covers every one of them, so a frame does not draw them twice.
     */
    private readonly sameRoads?: string,
  ) {}

  /** Once the style has loaded; `levels` are those known before (feature state needs the source). */
  add(levels: Uint8Array): void {
    const map = this.map;
    if (!map.getSource(ROADS_SOURCE))
      map.addSource(ROADS_SOURCE, { type: 'geojson', data: roadsData(this.segments) });
    if (!map.getSource(SELECTED_SOURCE))
      map.addSource(SELECTED_SOURCE, { type: 'geojson', data: selectedData(this.selected) });
    for (const layer of roadLayers()) if (!map.getLayer(layer.id)) map.addLayer(layer);
    this.ready = true;
    for (let i = 0; i < levels.length; i++) this.setLevel(i, levels[i]);
    this.setVisible(this.visible);
  }

  /** A road's level changed: the one call that recolours, re-widens and re-dashes it. */
  setLevel(index: number, code: number): void {
    if (this.ready) this.map.setFeatureState({ source: ROADS_SOURCE, id: index }, { l: code });
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (!this.ready) return;
    const v = visible ? 'visible' : 'none';
    for (const id of ROAD_LAYERS)
      if (this.map.getLayoutProperty(id, 'visibility') !== v) this.map.setLayoutProperty(id, 'visibility', v);
    const under = visible ? 'none' : 'visible';
    if (
      this.sameRoads &&
      this.map.getLayer(this.sameRoads) &&
      this.map.getLayoutProperty(this.sameRoads, 'visibility') !== under
    )
      this.map.setLayoutProperty(this.sameRoads, 'visibility', under);
    if (!visible) this.hover(-1);
  }

  /** The white halo under the selected segment. */
  select(seg: MapSegment | undefined): void {
    if (seg === this.selected) return;
    this.selected = seg;
    if (this.ready)
      (this.map.getSource(SELECTED_SOURCE) as maplibregl.GeoJSONSource).setData(selectedData(seg));
  }

  /** The road under a point of the map's canvas (the top one), or -1. */
  at(x: number, y: number): number {
    if (!this.ready || !this.visible || x < 0 || y < 0) return -1;
    const hit = this.map.queryRenderedFeatures(
      [
        [x - PICK_PX, y - PICK_PX],
        [x + PICK_PX, y + PICK_PX],
      ],
      // the casing holds every road, a little wider than its line
      { layers: [CASING_LAYER] },
    );
    const id = hit[0]?.id;
    return typeof id === 'number' ? id : -1;
  }

  /** The road under the pointer reads whiter; -1: none. */
  hover(index: number): void {
    if (index === this.hovered || !this.ready) return;
    if (this.hovered >= 0) this.map.setFeatureState({ source: ROADS_SOURCE, id: this.hovered }, { h: false });
    if (index >= 0) this.map.setFeatureState({ source: ROADS_SOURCE, id: index }, { h: true });
    this.hovered = index;
  }

  get hoveredIndex(): number {
    return this.hovered;
  }
}
