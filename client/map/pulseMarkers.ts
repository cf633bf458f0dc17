import * as maplibregl from 'maplibre-gl';
import type { IncidentItem } from '#contract/live.ts';
import { CATEGORY_COLORS, incidentRadius, toCss } from './layers/style.ts';
import './pulse.css';

/** More than this many unacknowledged incidents pulse the worst ones only. */
const MAX_PULSES = 100;

/**
 * Rings that pulse around incidents nobody has acknowledged yet. They are DOM markers with a CSS
 * animation (transform and opacity: the compositor runs it), not a deck.gl layer: an animated
 * layer would redraw the whole overlay, every road included, 30 times a second for as long as an
 * incident waits. They sit under the overlay's canvas, so the incident's own dot covers the centre.
 */
export class PulseMarkers {
  private readonly markers = new Map<string, { marker: maplibregl.Marker; key: string }>();

  constructor(private readonly map: maplibregl.Map) {}

  /** Shows a ring for each of `fresh` (sorted by severity, worst last) when `visible`. */
  sync(fresh: IncidentItem[], visible: boolean): void {
    const want = new Map<string, IncidentItem>();
    if (visible) for (const i of fresh.slice(-MAX_PULSES)) want.set(i.id, i);
    for (const [id, m] of this.markers) {
      if (!want.has(id)) {
        m.marker.remove();
        this.markers.delete(id);
      }
    }
    for (const [id, i] of want) {
      const key = `${i.lon},${i.lat},${i.category},${i.severity}`;
      const have = this.markers.get(id);
      if (have?.key === key) continue;
      have?.marker.remove();
      this.markers.set(id, { marker: this.ring(i).addTo(this.map), key });
    }
  }

  get count(): number {
    return this.markers.size;
  }

  private ring(i: IncidentItem): maplibregl.Marker {
    const el = document.createElement('div');
    el.className = 'ioc-pulse';
    el.setAttribute('aria-hidden', 'true');
    const ring = document.createElement('div');
    const d = incidentRadius(i.severity) * 2;
    ring.style.width = `${d}px`;
    ring.style.height = `${d}px`;
    ring.style.borderColor = toCss(CATEGORY_COLORS[i.category] ?? CATEGORY_COLORS.other);
    el.appendChild(ring);
    return new maplibregl.Marker({ element: el }).setLngLat([i.lon, i.lat]);
  }
}
