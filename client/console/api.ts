import type { AlarmAction, AlarmHistoryEntry, AlarmItem, AlarmState } from '#contract/alarmVocab.ts';
import type { TrafficHistory } from '#contract/api.ts';
import type { DashboardResponse } from '#contract/dashboardApi.ts';
import type { CrowdThresholds } from '#contract/hotspots.ts';
import type {
  IncidentActionRequest,
  IncidentDetail,
  IncidentHistoryEntry,
  IncidentListItem,
  MergeRequest,
} from '#contract/incidentsApi.ts';
import type { IndicatorsAnswer } from '#contract/indicatorVocab.ts';
import type { SecurityEventView, SecuritySummary, SecuritySystemView } from '#contract/securityVocab.ts';
import type {
  DossierDay,
  DossierFigures,
  MentionBucket,
  MentionFigures,
  ServiceTilesResponse,
  SocioEconomicFigure,
} from '#contract/servicesApi.ts';
import type { CameraEventKind } from '#contract/vocab.ts';
import { apiFetch } from '../shared/session.ts';

export interface CameraEvent {
  ts: number;
  kind: CameraEventKind;
  confidence?: number;
  count?: number;
  snapshotUrl?: string;
}

export type { IncidentDetail, IncidentHistoryEntry };

/** A refused request: the server's error code and message, and the HTTP status. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the whole answer (a 409 on an alarm carries its current state) */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const r = await apiFetch(url, { signal });
  // the status travels: a 403 says "not for this account", not "try again"
  if (!r.ok) throw new ApiRequestError(r.status, `http_${r.status}`, `${url}: ${r.status}`);
  return (await r.json()) as T;
}

const span = (p: { from: number; to: number }) => `from=${Math.round(p.from)}&to=${Math.round(p.to)}`;

async function sendJson<T>(method: 'PATCH' | 'POST', url: string, body: unknown): Promise<T> {
  const r = await apiFetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await r.json().catch(() => undefined)) as
    | (T & { error?: { code: string; message: string } })
    | undefined;
  if (!r.ok)
    throw new ApiRequestError(
      r.status,
      json?.error?.code ?? `http_${r.status}`,
      json?.error?.message ?? `HTTP ${r.status}`,
      json,
    );
  return json as T;
}

/** A 409 on an alarm: the action was not applied, and this is the alarm now. */
export interface AlarmRefusalBody {
  state: AlarmState;
  shelved: boolean;
  suppressed: boolean;
  item?: AlarmItem;
}

export interface BulkAckResult {
  acknowledged: AlarmItem[];
  refused: Array<{ id: string; code: string; message: string; state?: AlarmState }>;
}

export const api = {
  city: (signal?: AbortSignal) => getJson<{ name?: string; features?: [] }>('/api/city', signal),
  /** the indicator catalogue, agencies and topic and source names (in both languages) */
  indicators: (signal?: AbortSignal) => getJson<IndicatorsAnswer>('/api/indicators', signal),
  cameraEvents: (id: string, signal?: AbortSignal) =>
    getJson<{ items: CameraEvent[] }>(`/api/cameras/${encodeURIComponent(id)}/events?limit=20`, signal),
  crowdThresholds: (signal?: AbortSignal) => getJson<CrowdThresholds>('/api/crowd-thresholds', signal),
  cameraSnapshotUrl: (id: string, bust: number) =>
    `/api/cameras/${encodeURIComponent(id)}/snapshot?t=${bust}`,
  incident: (id: string, signal?: AbortSignal) =>
    getJson<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}`, signal),
  incidentAction: (id: string, body: IncidentActionRequest) =>
    sendJson<{ incident: IncidentListItem; history: IncidentHistoryEntry[] }>(
      'PATCH',
      `/api/incidents/${encodeURIComponent(id)}`,
      body,
    ),
  mergeIncidents: (targetId: string, body: MergeRequest) =>
    sendJson<{ incident: IncidentListItem }>(
      'POST',
      `/api/incidents/${encodeURIComponent(targetId)}/merge`,
      body,
    ),
  alarmHistory: (id: string, signal?: AbortSignal) =>
    getJson<{ items: AlarmHistoryEntry[] }>(`/api/alarms/${encodeURIComponent(id)}/history`, signal),
  alarmAction: (id: string, body: AlarmAction) =>
    sendJson<{ item: AlarmItem }>('POST', `/api/alarms/${encodeURIComponent(id)}/actions`, body),
  acknowledgeAlarms: (ids: string[], comment?: string) =>
    sendJson<BulkAckResult>('POST', '/api/alarms/acknowledge', { ids, comment }),
  trafficHistory: (segmentId: string, from: number, to: number, signal?: AbortSignal) =>
    getJson<TrafficHistory>(
      `/api/history/traffic?segmentId=${encodeURIComponent(segmentId)}&from=${Math.round(from)}&to=${Math.round(to)}&bucket=15m`,
      signal,
    ),
  // the province row and its panels (issue 14)
  serviceTiles: (signal?: AbortSignal) => getJson<ServiceTilesResponse>('/api/services/tiles', signal),
  securitySummary: (signal?: AbortSignal) => getJson<SecuritySummary>('/api/security/summary', signal),
  securitySystems: (signal?: AbortSignal) =>
    getJson<{ items: SecuritySystemView[] }>('/api/security/systems', signal),
  securityEvents: (q: { since: number; minLevel: number; limit: number }, signal?: AbortSignal) =>
    getJson<{ items: SecurityEventView[] }>(
      `/api/security/events?since=${Math.round(q.since)}&minLevel=${q.minLevel}&limit=${q.limit}`,
      signal,
    ),
  agencies: (p: { from: number; to: number }, signal?: AbortSignal) =>
    getJson<DashboardResponse<DossierFigures>>(`/api/dashboard/public-services/agencies?${span(p)}`, signal),
  dossierSeries: (p: { from: number; to: number }, signal?: AbortSignal) =>
    getJson<DashboardResponse<DossierDay>>(`/api/dashboard/public-services/series?${span(p)}`, signal),
  topics: (p: { from: number; to: number }, signal?: AbortSignal) =>
    getJson<DashboardResponse<MentionFigures>>(`/api/dashboard/online-information/topics?${span(p)}`, signal),
  mentionSeries: (p: { from: number; to: number }, signal?: AbortSignal) =>
    getJson<DashboardResponse<MentionBucket>>(`/api/dashboard/online-information/series?${span(p)}`, signal),
  socioEconomic: (signal?: AbortSignal) =>
    getJson<DashboardResponse<SocioEconomicFigure>>('/api/dashboard/socio-economic/indicators', signal),
};
