// Accounts, sessions, devices and the audit log as the HTTP API shows them (issue 6).

export const ROLES = ['admin', 'operator', 'field', 'leader'] as const;
/** People's roles. MQTT publishers are `device`s, which never log in over HTTP. */
export type Role = (typeof ROLES)[number];
export type Principal = Role | 'device';

/** The page each role lands on after logging in. */
export const HOME: Record<Role, string> = {
  admin: '/admin',
  operator: '/',
  field: '/report',
  leader: '/dashboard',
};

/** The pages of the product and the roles that may open each. */
export const PAGE_ROLES: Record<string, readonly Role[]> = {
  '/': ['operator', 'admin', 'leader'],
  '/report': ['field', 'operator', 'admin'],
  '/dashboard': ['leader', 'operator', 'admin'],
  '/admin': ['admin'],
};

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

/** `POST /api/auth/login` body */
export interface LoginRequest {
  username: string;
  password: string;
}

/** `POST /api/auth/login` 200 and `GET /api/auth/me` 200 */
export interface SessionView {
  user: UserView;
  /** where this role lands */
  home: string;
  /** pages this role may open, for the navigation */
  pages: string[];
  /** ms since epoch when the session ends at the latest (absolute timeout) */
  expiresAt: number;
  /** ms of inactivity after which the session ends */
  idleTimeoutMs: number;
}

/** `POST /api/admin/users` body; a password is generated (and shown once) when left out */
export interface CreateUserRequest {
  username: string;
  displayName: string;
  role: Role;
  password?: string;
}

/** `PATCH /api/admin/users/:id` body */
export interface UpdateUserRequest {
  displayName?: string;
  role?: Role;
  disabled?: boolean;
  /** true: a new random password, returned once */
  resetPassword?: boolean;
}

/** answer of create / update; `password` only when one was generated */
export interface UserChanged {
  user: UserView;
  password?: string;
}

export interface DeviceView {
  id: string;
  name: string;
  /** MQTT username */
  username: string;
  /** asset ids this device may publish for (segments and cameras) */
  assets: string[];
  /** may publish to `ioc/incident/report` */
  mayReport: boolean;
  disabled: boolean;
  createdAt: number;
}

/** `POST /api/admin/devices` body */
export interface CreateDeviceRequest {
  id: string;
  name: string;
  assets: string[];
  mayReport?: boolean;
}

/** `PATCH /api/admin/devices/:id` body */
export interface UpdateDeviceRequest {
  name?: string;
  assets?: string[];
  mayReport?: boolean;
  disabled?: boolean;
  /** true: a new random secret, returned once */
  rotateSecret?: boolean;
}

export interface DeviceChanged {
  device: DeviceView;
  /** the MQTT password, only when one was made */
  secret?: string;
}

export interface AuditEntryView {
  id: number;
  /** ms since epoch (UTC) */
  ts: number;
  actor: string | null;
  role: string | null;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  ip: string | null;
  details: Record<string, unknown> | null;
}
