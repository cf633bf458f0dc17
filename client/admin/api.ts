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
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T> {
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
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (!r.ok)
    throw new AdminApiError(
      r.status,
      json?.error?.code ?? `http_${r.status}`,
      json?.error?.message ?? `HTTP ${r.status}`,
    );
  return json as T;
}

const id = (s: string) => encodeURIComponent(s);

/** The admin API (issue 6): accounts, devices, the audit log; and the city's assets to pick from. */
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
  city: async (): Promise<CityAssets> => cityAssets(await call('GET', '/api/city')),
};
