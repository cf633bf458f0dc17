import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import Supercluster from 'supercluster';
import type { Camera } from '#contract/assets.ts';
import { CAMERA_COLORS, CAMERA_RANK, CAMERA_STATUSES, type CameraStatus } from './style.ts';

/** A camera, or a cluster of them coloured by its worst member. */
export interface CameraPoint {
  position: [number, number];
  status: CameraStatus;
  count: number;
  /** a single camera's id */
  cameraId?: string;
  clusterId?: number;
}

interface PointProps {
  id: string;
  rank: number;
}
interface ClusterProps {
  rank: number;
}

const statusOfRank = new Map(CAMERA_STATUSES.map((s) => [CAMERA_RANK[s], s]));

/** Clusters the cameras with their current status; rebuilt when statuses change (500 points: ~ms). */
export function buildCameraIndex(
  cameras: Camera[],
  statusOf: (id: string) => CameraStatus,
): Supercluster<PointProps, ClusterProps> {
  const index = new Supercluster<PointProps, ClusterProps>({
    radius: 48,
    maxZoom: 14,
    map: (p) => ({ rank: p.rank }),
    reduce: (acc, p) => {
      acc.rank = Math.max(acc.rank, p.rank);
    },
  });
  index.load(
    cameras.map((c) => ({
      type: 'Feature' as const,
      geometry: { type: 'Point' as const, coordinates: [c.lon, c.lat] },
      properties: { id: c.id, rank: CAMERA_RANK[statusOf(c.id)] },
    })),
  );
  return index;
}

/** What the camera layer draws at a zoom level. */
export function cameraPoints(index: Supercluster<PointProps, ClusterProps>, zoom: number): CameraPoint[] {
  return index.getClusters([-180, -85, 180, 85], Math.floor(zoom)).map((f) => {
    const p = f.properties as Partial<PointProps & ClusterProps & Supercluster.ClusterProperties>;
    const position = f.geometry.coordinates as [number, number];
    const status = statusOfRank.get(p.rank ?? 1) ?? 'unknown';
    return p.cluster
      ? { position, status, count: p.point_count ?? 1, clusterId: p.cluster_id }
      : { position, status, count: 1, cameraId: p.id };
  });
}

export interface CameraLayerState {
  points: CameraPoint[];
  visible: boolean;
  selectedId?: string;
}

const clustersOf = new WeakMap<CameraPoint[], CameraPoint[]>();
/** The clusters among the points, the same array for the same points: new data would redraw the map. */
function clusters(points: CameraPoint[]): CameraPoint[] {
  let c = clustersOf.get(points);
  if (!c) {
    c = points.filter((p) => p.count > 1);
    clustersOf.set(points, c);
  }
  return c;
}

export function cameraLayers(s: CameraLayerState): [ScatterplotLayer<CameraPoint>, TextLayer<CameraPoint>] {
  return [
    new ScatterplotLayer<CameraPoint>({
      id: 'cameras',
      data: s.points,
      visible: s.visible,
      pickable: true,
      radiusUnits: 'pixels',
      lineWidthUnits: 'pixels',
      stroked: true,
      filled: true,
      getPosition: (p) => p.position,
      getRadius: (p) => (p.count > 1 ? Math.min(22, 10 + Math.sqrt(p.count) * 2) : 7),
      getFillColor: (p) => CAMERA_COLORS[p.status],
      getLineColor: (p) =>
        p.cameraId && p.cameraId === s.selectedId ? [255, 255, 255, 255] : [8, 12, 20, 255],
      getLineWidth: (p) => (p.cameraId && p.cameraId === s.selectedId ? 4 : 2),
      updateTriggers: { getLineColor: s.selectedId, getLineWidth: s.selectedId },
    }),
    new TextLayer<CameraPoint>({
      id: 'camera-counts',
      data: clusters(s.points),
      visible: s.visible,
      getPosition: (p) => p.position,
      getText: (p) => String(p.count),
      getSize: 15,
      sizeUnits: 'pixels',
      fontFamily: '"Noto Sans", "DejaVu Sans", sans-serif',
      fontWeight: 700,
      characterSet: '0123456789',
      getColor: [255, 255, 255, 255],
      fontSettings: { sdf: true },
      outlineWidth: 0.25,
      outlineColor: [0, 0, 0, 255],
    }),
  ];
}
