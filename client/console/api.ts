import type { TrafficHistory } from '../../server/contracts/api.ts';
import type { IncidentItem } from '../../server/contracts/live.ts';
import type { CameraEventKind, IncidentState } from '../../server/contracts/vocab.ts';

export interface CameraEvent {
  ts: number;
  kind: CameraEventKind;
  confidence?: number;
  count?: number;
  snapshotUrl?: string;
}

export interface IncidentHistoryEntry {
  time: number;
  action: string;
  actor?: string;
  fromStatus?: IncidentState | null;
  toStatus?: IncidentState | null;
  note?: string | null;
}

export type IncidentDetail = IncidentItem & { history?: IncidentHistoryEntry[] };

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const r = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return (await r.json()) as T;
}

export const api = {
  city: (signal?: AbortSignal) => getJson<{ name?: string; features?: [] }>('/api/city', signal),
  cameraEvents: (id: string, signal?: AbortSignal) =>
    getJson<{ items: CameraEvent[] }>(`/api/cameras/${encodeURIComponent(id)}/events?limit=20`, signal),
  cameraSnapshotUrl: (id: string, bust: number) =>
    `/api/cameras/${encodeURIComponent(id)}/snapshot?t=${bust}`,
  incident: (id: string, signal?: AbortSignal) =>
    getJson<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}`, signal),
  trafficHistory: (segmentId: string, from: number, to: number, signal?: AbortSignal) =>
    getJson<TrafficHistory>(
      `/api/history/traffic?segmentId=${encodeURIComponent(segmentId)}&from=${Math.round(from)}&to=${Math.round(to)}&bucket=15m`,
      signal,
    ),
};
