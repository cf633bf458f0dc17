import type {
  AlarmHealthKpi,
  AlarmRateBucket,
  AlarmSource,
  CalendarDay,
  CameraAvailability,
  DashboardResponse,
  DistrictFigures,
  IncidentGroup,
  Kpi,
  SeriesDay,
  WorstSegment,
} from '#contract/dashboardApi.ts';
import { apiFetch } from '../shared/session.ts';
import { apiQuery, type View } from './view.ts';

/** Every endpoint the dashboard reads, with its extra parameters. */
export const ENDPOINTS = {
  summary: ['summary', {}],
  series: ['series', {}],
  worst: ['worst-segments', { limit: '10' }],
  categories: ['incidents-by', { by: 'category' }],
  cameras: ['cameras', { limit: '10' }],
  districts: ['districts', {}],
  calendar: ['calendar', {}],
  alarmHealth: ['alarm-health', {}],
  alarmRate: ['alarm-rate', {}],
  alarmSources: ['alarm-sources', { limit: '10' }],
} as const satisfies Record<string, readonly [string, Record<string, string>]>;
export type EndpointName = keyof typeof ENDPOINTS;

export interface DashboardData {
  summary: DashboardResponse<Kpi>;
  series: DashboardResponse<SeriesDay>;
  worst: DashboardResponse<WorstSegment>;
  categories: DashboardResponse<IncidentGroup>;
  cameras: DashboardResponse<CameraAvailability>;
  districts: DashboardResponse<DistrictFigures>;
  calendar: DashboardResponse<CalendarDay>;
  alarmHealth: DashboardResponse<AlarmHealthKpi>;
  alarmRate: DashboardResponse<AlarmRateBucket>;
  alarmSources: DashboardResponse<AlarmSource>;
}

/** The URL of an endpoint for a view; `csv` gives the same rows as CSV (a download). */
export function endpointUrl(name: EndpointName, view: View, now: number, csv = false): string {
  const [path, extra] = ENDPOINTS[name];
  return `/api/dashboard/${path}?${apiQuery(view, now, { ...extra, ...(csv ? { format: 'csv' } : {}) })}`;
}

/** Reads every figure of a view at once. */
export async function loadDashboard(view: View, now: number, signal?: AbortSignal): Promise<DashboardData> {
  const names = Object.keys(ENDPOINTS) as EndpointName[];
  const bodies = await Promise.all(
    names.map(async (n) => {
      const res = await apiFetch(endpointUrl(n, view, now), { signal });
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      return body;
    }),
  );
  return Object.fromEntries(names.map((n, i) => [n, bodies[i]])) as unknown as DashboardData;
}

/** The city model's districts (GeoJSON features) from /api/city. */
export async function loadDistricts(): Promise<{ geojson: object; names: Map<string, string> }> {
  const res = await apiFetch('/api/city');
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const city = (await res.json()) as {
    features: Array<{ properties: { kind?: string; id?: string; name?: string }; geometry: unknown }>;
  };
  const features = city.features.filter((f) => f.properties.kind === 'district');
  return {
    geojson: { type: 'FeatureCollection', features },
    names: new Map(
      features.map((f) => [String(f.properties.id), f.properties.name ?? String(f.properties.id)]),
    ),
  };
}
