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
import { apiFetch } from '../shared/session.ts';
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
  const json = (await r.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string; details?: unknown } }
    | undefined;
  if (!r.ok) {
    const details = Array.isArray(json?.error?.details)
      ? (json.error.details as Array<{ field?: unknown; message?: unknown }>)
          .filter((d) => typeof d?.field === 'string')
          .map((d) => ({ field: String(d.field), message: String(d.message ?? '') }))
      : [];
    throw new AdminApiError(
      r.status,
      json?.error?.code ?? `http_${r.status}`,
      json?.error?.message ?? `HTTP ${r.status}`,
      details,
    );
  }
  return json as T;
}

const id = (s: string) => encodeURIComponent(s);

/** The admin API (issues 6, 13): accounts, devices, alarm rules, assets out of service, the audit log; and the city's assets to pick from. */
export const adminApi = {
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
  outOfService: () => call<{ items: OutOfServiceView[] }>('GET', '/api/admin/out-of-service'),
  putOutOfService: (assetId: string, b: { reason: string; until: number | null }) =>
    call<{ item: OutOfServiceView }>('PUT', `/api/admin/out-of-service/${id(assetId)}`, b),
  returnToService: (assetId: string) => call<undefined>('DELETE', `/api/admin/out-of-service/${id(assetId)}`),
  city: async (): Promise<CityAssets> => cityAssets(await call('GET', '/api/city')),
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
