import type { CameraItem, IncidentItem, TrafficItem } from '#contract/live.ts';
import type { IncidentState } from '#contract/vocab.ts';
import type { MapSegment } from '../map/city.ts';
import { cameraStatus, trafficLevel } from '../map/layers/style.ts';

export interface Kpis {
  /** length-weighted mean speed over segments with a recent reading; null when none has one */
  avgSpeedKmh: number | null;
  freshSegments: number;
  totalSegments: number;
  /** heavy or jammed, among fresh segments */
  congested: number;
  camerasOnline: number;
  camerasTotal: number;
  incidents: Record<IncidentState, number>;
  openIncidents: number;
}

/** A KPI not confirmed for this long is greyed with its age. */
export const KPI_STALE_MS = 10_000;

/** The figures of the KPI tiles from the live state at `now` (server time). */
export function computeKpis(
  segments: MapSegment[],
  traffic: Map<string, TrafficItem>,
  cameraIds: string[],
  cameras: Map<string, CameraItem>,
  incidents: Map<string, IncidentItem>,
  now: number,
): Kpis {
  let weighted = 0;
  let length = 0;
  let fresh = 0;
  let congested = 0;
  for (const s of segments) {
    const item = traffic.get(s.id);
    const level = trafficLevel(item, s.speedLimitKmh, now);
    if (level === 'unknown' || !item) continue;
    fresh++;
    const w = s.lengthM > 0 ? s.lengthM : 1;
    weighted += item.speedKmh * w;
    length += w;
    if (level === 'heavy' || level === 'jam') congested++;
  }
  let online = 0;
  for (const id of cameraIds) {
    const st = cameraStatus(cameras.get(id), now);
    if (st === 'online' || st === 'event') online++;
  }
  const byState: Record<IncidentState, number> = {
    new: 0,
    acknowledged: 0,
    dispatched: 0,
    resolved: 0,
    closed: 0,
  };
  for (const i of incidents.values()) byState[i.status] = (byState[i.status] ?? 0) + 1;
  return {
    avgSpeedKmh: length > 0 ? weighted / length : null,
    freshSegments: fresh,
    totalSegments: segments.length,
    congested,
    camerasOnline: online,
    camerasTotal: cameraIds.length,
    incidents: byState,
    openIncidents: byState.new + byState.acknowledged + byState.dispatched,
  };
}

export function isStale(updatedAt: number, now: number): boolean {
  return updatedAt <= 0 || now - updatedAt > KPI_STALE_MS;
}
