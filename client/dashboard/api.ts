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
import type { IndicatorsAnswer } from '#contract/indicatorVocab.ts';
import type { SecurityDashboard } from '#contract/securityVocab.ts';
import type {
  DossierDay,
  DossierFigures,
  MentionBucket,
  MentionFigures,
  ServiceKpi,
  ServicesSummary,
  SocioEconomicFigure,
  SocioEconomicPoint,
} from '#contract/servicesApi.ts';
import { apiFetch } from '../shared/session.ts';
import { apiQuery, type TabKey, type View } from './view.ts';

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
  servicesSummary: ['services-summary', {}],
  psKpis: ['public-services/kpis', {}],
  psSeries: ['public-services/series', {}],
  psAgencies: ['public-services/agencies', {}],
  psWards: ['public-services/wards', {}],
  oiKpis: ['online-information/kpis', {}],
  oiSeries: ['online-information/series', {}],
  oiTopics: ['online-information/topics', { limit: '15' }],
  oiSources: ['online-information/sources', { limit: '15' }],
  seIndicators: ['socio-economic/indicators', {}],
  seSeries: ['socio-economic/series', {}],
  security: ['security', {}],
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
  servicesSummary: ServicesSummary;
  psKpis: DashboardResponse<ServiceKpi>;
  psSeries: DashboardResponse<DossierDay>;
  psAgencies: DashboardResponse<DossierFigures>;
  psWards: DashboardResponse<DossierFigures>;
  oiKpis: DashboardResponse<ServiceKpi>;
  oiSeries: DashboardResponse<MentionBucket>;
  oiTopics: DashboardResponse<MentionFigures>;
  oiSources: DashboardResponse<MentionFigures>;
  seIndicators: DashboardResponse<SocioEconomicFigure>;
  seSeries: DashboardResponse<SocioEconomicPoint>;
  security: SecurityDashboard;
}

/** What each tab reads (the socio-economic series are read per chart, see loadSocioSeries). */
export const TAB_ENDPOINTS: Record<TabKey, readonly EndpointName[]> = {
  summary: ['summary', 'alarmHealth', 'servicesSummary'],
  traffic: [
    'summary',
    'series',
    'worst',
    'categories',
    'cameras',
    'districts',
    'calendar',
    'alarmHealth',
    'alarmRate',
    'alarmSources',
  ],
  'public-services': ['psKpis', 'psSeries', 'psAgencies', 'psWards'],
  'online-information': ['oiKpis', 'oiSeries', 'oiTopics', 'oiSources'],
  'socio-economic': ['seIndicators'],
  security: ['security'],
};

/** The figures of one tab: the endpoints it reads, each present. */
export type TabData = Partial<DashboardData>;

/** The URL of an endpoint for a view; `csv` gives the same rows as CSV (a download); `params` adds more. */
export function endpointUrl(
  name: EndpointName,
  view: View,
  now: number,
  csv = false,
  params: Record<string, string> = {},
): string {
  const [path, extra] = ENDPOINTS[name];
  return `/api/dashboard/${path}?${apiQuery(view, now, { ...extra, ...params, ...(csv ? { format: 'csv' } : {}) })}`;
}

/** A response that was not the figures: its HTTP status and the server's code (the page words it). */
export class LoadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

async function readJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await apiFetch(url, { signal });
  const body = await res.json().catch(() => null);
  if (!res.ok)
    throw new LoadError(res.status, body?.error?.code, body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

/** Reads every figure of a tab's view at once. */
export async function loadTab(tab: TabKey, view: View, now: number, signal?: AbortSignal): Promise<TabData> {
  const names = TAB_ENDPOINTS[tab];
  const bodies = await Promise.all(names.map((n) => readJson(endpointUrl(n, view, now), signal)));
  return Object.fromEntries(names.map((n, i) => [n, bodies[i]])) as TabData;
}

/** One socio-economic indicator's series (24 months or 8 quarters up to the view's end). */
export function loadSocioSeries(
  indicator: string,
  view: View,
  now: number,
  signal?: AbortSignal,
): Promise<DashboardResponse<SocioEconomicPoint>> {
  return readJson(endpointUrl('seSeries', view, now, false, { indicator }), signal);
}

/** The indicator catalogue (names in both languages, units, directions) and the names of topics and sources: the one vocabulary of figures. */
export function loadIndicators(signal?: AbortSignal): Promise<IndicatorsAnswer> {
  return readJson<IndicatorsAnswer>('/api/indicators', signal);
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
