import { signal } from '@preact/signals';
import type { AlarmRuleConfig, AlarmRuleSetting, OutOfServiceView } from '#contract/alarmVocab.ts';
import type {
  AuditEntryView,
  CreateDeviceRequest,
  CreateUserRequest,
  DeviceChanged,
  DeviceView,
  UpdateDeviceRequest,
  UpdateUserRequest,
  UserChanged,
  UserView,
} from '#contract/auth.ts';
import type { CrowdThreshold, CrowdThresholds } from '#contract/hotspots.ts';
import type {
  AgencyView,
  BreakdownLabel,
  IndicatorDef,
  IndicatorSourceKey,
  IndicatorSourceView,
  IndicatorsAnswer,
  IngestAnswer,
} from '#contract/indicatorVocab.ts';
import type { CreateSystemRequest, UpdateSystemRequest } from '#contract/security.ts';
import type { SecuritySystemView } from '#contract/securityVocab.ts';
import type { UnitAdminView, UnitSaveRequest } from '#contract/units.ts';
import { apiFetch, onUnauthenticated } from '../shared/session.ts';
import { type CityAssets, cityAssets } from './assets.ts';

/** A refused or failed request: HTTP status (0: no answer), the server's error code and message. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the fields a 400 `invalid_field` names */
    readonly details: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

async function call<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<T> {
  let r: Response;
  try {
    r = await apiFetch(url, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new AdminApiError(0, 'unreachable', (err as Error).message);
  }
  const json = await r.json().catch(() => undefined);
  if (!r.ok) throw refusal(r.status, json);
  return json as T;
}

/** A refusal as the server words it: `{ error: { code, message, details? } }`. */
function refusal(status: number, body: unknown): AdminApiError {
  const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const details = Array.isArray(e?.details)
    ? (e.details as Array<{ field?: unknown; message?: unknown }>)
        .filter((d) => typeof d?.field === 'string')
        .map((d) => ({ field: String(d.field), message: String(d.message ?? '') }))
    : [];
  return new AdminApiError(status, e?.code ?? `http_${status}`, e?.message ?? `HTTP ${status}`, details);
}

/**
 * The CSV import (`POST /api/admin/indicators/import`, the file as form field `file`) through
 * XMLHttpRequest, whose upload reports progress (fetch's does not): `onProgress` gets 0..1.
 */
function uploadCsv(file: Blob, name: string, onProgress: (share: number) => void): Promise<IngestAnswer> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/admin/indicators/import');
    x.setRequestHeader('accept', 'application/json');
    x.responseType = 'text';
    x.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    x.onerror = () => reject(new AdminApiError(0, 'unreachable', 'network error'));
    x.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(x.responseText);
      } catch {
        body = undefined;
      }
      if (x.status === 401) onUnauthenticated();
      if (x.status >= 200 && x.status < 300) resolve(body as IngestAnswer);
      else reject(refusal(x.status, body));
    };
    const form = new FormData();
    form.append('file', file, name);
    x.send(form);
  });
}

/** What an HTTP source is made with (`POST /api/admin/indicator-sources`; contract/indicators.ts). */
export interface SourceRequest {
  id: string;
  name: string;
  indicators: string[];
  ratePerMin: number;
}

const id = (s: string) => encodeURIComponent(s);

/** The admin API (issues 6, 13, 14): accounts, devices, alarm rules, assets out of service, the audit log, the indicator feed; and the city's assets to pick from. */
export const adminApi = {
  securitySystems: () => call<{ items: SecuritySystemView[] }>('GET', '/api/admin/security/systems'),
  createSecuritySystem: (b: CreateSystemRequest) =>
    call<{ item: SecuritySystemView }>('POST', '/api/admin/security/systems', b),
  updateSecuritySystem: (systemId: string, b: UpdateSystemRequest) =>
    call<{ item: SecuritySystemView }>('PATCH', `/api/admin/security/systems/${id(systemId)}`, b),
  units: () => call<{ items: UnitAdminView[] }>('GET', '/api/admin/units'),
  saveUnit: (unitId: string, b: UnitSaveRequest) =>
    call<{ id: string }>('PUT', `/api/admin/units/${id(unitId)}`, b),
  users: () => call<{ items: UserView[] }>('GET', '/api/admin/users'),
  createUser: (b: CreateUserRequest) => call<UserChanged>('POST', '/api/admin/users', b),
  updateUser: (userId: string, b: UpdateUserRequest) =>
    call<UserChanged>('PATCH', `/api/admin/users/${id(userId)}`, b),
  devices: () => call<{ items: DeviceView[] }>('GET', '/api/admin/devices'),
  createDevice: (b: CreateDeviceRequest) => call<DeviceChanged>('POST', '/api/admin/devices', b),
  updateDevice: (deviceId: string, b: UpdateDeviceRequest) =>
    call<DeviceChanged>('PATCH', `/api/admin/devices/${id(deviceId)}`, b),
  audit: (query: string) => call<{ items: AuditEntryView[] }>('GET', `/api/admin/audit?${query}`),
  auditCsvUrl: (query: string) => `/api/admin/audit?${query}`,
  alarmRules: () => call<{ items: AlarmRuleSetting[] }>('GET', '/api/admin/alarm-rules'),
  updateAlarmRule: (b: AlarmRuleConfig) =>
    call<{ item: AlarmRuleSetting }>('PUT', `/api/admin/alarm-rules/${id(b.rule)}`, b),
  crowdThresholds: () => call<CrowdThresholds>('GET', '/api/crowd-thresholds'),
  putCrowdThreshold: (cameraId: string, threshold: number) =>
    call<{ item: CrowdThreshold }>('PUT', `/api/admin/crowd-thresholds/${id(cameraId)}`, { threshold }),
  deleteCrowdThreshold: (cameraId: string) =>
    call<undefined>('DELETE', `/api/admin/crowd-thresholds/${id(cameraId)}`),
  outOfService: () => call<{ items: OutOfServiceView[] }>('GET', '/api/admin/out-of-service'),
  putOutOfService: (assetId: string, b: { reason: string; until: number | null }) =>
    call<{ item: OutOfServiceView }>('PUT', `/api/admin/out-of-service/${id(assetId)}`, b),
  returnToService: (assetId: string) => call<undefined>('DELETE', `/api/admin/out-of-service/${id(assetId)}`),
  city: async (): Promise<CityAssets> => cityAssets(await call('GET', '/api/city')),
  // the indicator feed (issue 14): the catalogue, agencies, HTTP sources and their keys, the CSV import
  indicators: () => call<IndicatorsAnswer>('GET', '/api/admin/indicators'),
  createIndicator: (b: Omit<IndicatorDef, 'disabled' | 'updatedAt'>) =>
    call<{ item: IndicatorDef }>('POST', '/api/admin/indicators', b),
  updateIndicator: (
    indicatorId: string,
    b: Partial<
      Pick<IndicatorDef, 'nameVi' | 'nameEn' | 'goodDirection' | 'min' | 'max' | 'thresholds' | 'disabled'>
    >,
  ) => call<{ item: IndicatorDef }>('PATCH', `/api/admin/indicators/${id(indicatorId)}`, b),
  putAgency: (agencyId: string, b: Omit<AgencyView, 'id'>) =>
    call<{ item: AgencyView }>('PUT', `/api/admin/agencies/${id(agencyId)}`, b),
  putLabel: (x: BreakdownLabel) =>
    call<{ item: BreakdownLabel }>('PUT', `/api/admin/indicator-labels/${id(x.dimension)}/${id(x.code)}`, {
      nameVi: x.nameVi,
      nameEn: x.nameEn,
    }),
  sources: () => call<{ items: IndicatorSourceView[] }>('GET', '/api/admin/indicator-sources'),
  createSource: (b: SourceRequest) => call<IndicatorSourceKey>('POST', '/api/admin/indicator-sources', b),
  updateSource: (sourceId: string, b: Partial<Omit<SourceRequest, 'id'>>) =>
    call<{ source: IndicatorSourceView }>('PATCH', `/api/admin/indicator-sources/${id(sourceId)}`, b),
  newSourceKey: (sourceId: string) =>
    call<IndicatorSourceKey>('POST', `/api/admin/indicator-sources/${id(sourceId)}/key`),
  revokeSource: (sourceId: string) =>
    call<undefined>('DELETE', `/api/admin/indicator-sources/${id(sourceId)}/key`),
  importCsv: uploadCsv,
};

/** The city's cameras and segments: loaded once for the page, `null` when they could not be. */
export const city = signal<CityAssets | null | undefined>(undefined);
export function loadCity(): void {
  if (city.value !== undefined) return;
  adminApi.city().then(
    (c) => (city.value = c),
    () => (city.value = null),
  );
}

/** The indicator catalogue and agencies, for the tabs that pick from them (sources, import); `null` when they could not be loaded. */
export const catalogue = signal<IndicatorsAnswer | null | undefined>(undefined);
export function loadCatalogue(force = false): void {
  if (catalogue.value !== undefined && !force) return;
  adminApi.indicators().then(
    (c) => (catalogue.value = c),
    () => (catalogue.value = null),
  );
}
