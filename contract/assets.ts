import { z } from 'zod';

/** [lon, lat] */
export type LonLat = [number, number];

export interface Segment {
  id: string;
  name: string;
  speedLimitKmh: number;
  districtId?: string;
  coords: LonLat[];
}

export interface Camera {
  id: string;
  name: string;
  lon: number;
  lat: number;
  segmentId?: string;
  districtId?: string;
}

export interface District {
  id: string;
  name: string;
  /** outer ring of the polygon, closed */
  ring: LonLat[];
}

/** The city model: every asset the IOC knows about. */
export interface CityModel {
  name: string;
  center: LonLat;
  bbox: [number, number, number, number];
  segments: Segment[];
  cameras: Camera[];
  districts: District[];
  /** optional extra basemap features (water bodies, coastline), drawn but not assets */
  water?: LonLat[][];
}

const Position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).rest(z.number());
const Props = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string().optional(),
});

/** The contract's city GeoJSON: segments, cameras, districts (and optional water). */
export const CityGeoJsonSchema = z.object({
  type: z.literal('FeatureCollection'),
  name: z.string().optional(),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: z.discriminatedUnion('type', [
        z.object({ type: z.literal('Point'), coordinates: Position }),
        z.object({ type: z.literal('LineString'), coordinates: z.array(Position).min(2) }),
        z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(Position).min(4)).min(1) }),
      ]),
      properties: Props.and(
        z.looseObject({
          kind: z.enum(['segment', 'camera', 'district', 'water']),
          speedLimitKmh: z.number().positive().max(250).optional(),
          districtId: z.string().optional(),
          segmentId: z.string().optional(),
        }),
      ),
    }),
  ),
});
export type CityGeoJson = z.input<typeof CityGeoJsonSchema>;
