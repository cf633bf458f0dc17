import { layers, namedFlavor } from '@protomaps/basemaps';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import * as maplibregl from 'maplibre-gl';
import { Protocol } from 'pmtiles';

// Loaded only when the console is opened with `?pmtiles=`: neither library is in the first download.

let registered = false;

/**
 * A basemap from a Protomaps PMTiles archive (a single file of vector tiles, read with HTTP range
 * requests), e.g. one placed in `client/public/tiles/` and served with the client:
 * `/?pmtiles=/tiles/quynhon.pmtiles`. Dark flavour; without MapLibre's labels, which would need
 * glyph files (the console's labels are drawn by deck.gl).
 */
export function pmtilesStyle(url: string): StyleSpecification {
  if (!registered) {
    maplibregl.addProtocol('pmtiles', new Protocol().tile);
    registered = true;
  }
  const href = new URL(url, location.href).href;
  return {
    version: 8,
    name: 'ioc-pmtiles-dark',
    sources: {
      protomaps: {
        type: 'vector',
        url: `pmtiles://${href}`,
        attribution: '© OpenStreetMap contributors, Protomaps',
      },
    },
    layers: (layers('protomaps', namedFlavor('dark'), { lang: 'vi' }) as LayerSpecification[]).filter(
      (l) => l.type !== 'symbol',
    ),
  };
}
