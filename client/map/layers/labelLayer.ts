import { TextLayer } from '@deck.gl/layers';
import type { District } from '#contract/assets.ts';

export interface DistrictLabel {
  name: string;
  position: [number, number];
}

/** A label point for each district: the mean of its ring, good enough for compact districts. */
export function districtLabels(districts: District[]): DistrictLabel[] {
  return districts.map((d) => {
    const ring = d.ring.length > 1 ? d.ring.slice(0, -1) : d.ring;
    let x = 0;
    let y = 0;
    for (const [lon, lat] of ring) {
      x += lon;
      y += lat;
    }
    return { name: d.name, position: [x / ring.length, y / ring.length] };
  });
}

/**
 * District names drawn by deck.gl: MapLibre would need glyph files we do not ship offline.
 * `characterSet: 'auto'` builds the atlas from the names, Vietnamese diacritics included.
 */
export function labelLayer(labels: DistrictLabel[], visible: boolean): TextLayer<DistrictLabel> {
  return new TextLayer<DistrictLabel>({
    id: 'district-labels',
    data: labels,
    visible,
    getPosition: (d) => d.position,
    getText: (d) => d.name,
    getSize: 15,
    sizeUnits: 'pixels',
    fontFamily: '"Noto Sans", "DejaVu Sans", sans-serif',
    fontWeight: 600,
    characterSet: 'auto',
    getColor: [200, 215, 235, 170],
    // room above capitals for stacked Vietnamese marks (Ấ, Ồ): the default cell clips them
    fontSettings: { sdf: true, fontSize: 64, buffer: 16 },
    lineHeight: 1.4,
    outlineWidth: 0.3,
    outlineColor: [5, 10, 20, 255],
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
  });
}
