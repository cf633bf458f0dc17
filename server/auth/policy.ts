import type { Role } from '#contract/auth.ts';

export type Access = 'public' | 'session' | readonly Role[];

export interface Rule {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | '*';
  /** path pattern: `:x` matches one segment, a trailing `*` any rest */
  path: string;
  access: Access;
  /** why, for the reader of this table */
  note?: string;
}

const CONSOLE: readonly Role[] = ['operator', 'admin', 'leader'];
const OPS: readonly Role[] = ['operator', 'admin'];
const REPORTERS: readonly Role[] = ['field', 'operator', 'admin'];
const ALL: readonly Role[] = ['admin', 'operator', 'field', 'leader'];

/**
 * Who may call what. One table for the whole HTTP API, checked before any router runs; an /api
 * route that no rule names is refused (deny by default). Ownership (a field user's own reports and
 * photos) is checked again inside the routes.
 */
export const API_RULES: readonly Rule[] = [
  { method: 'GET', path: '/api/health', access: 'public', note: 'load balancers and probes' },
  {
    method: 'GET',
    path: '/api/openapi.json',
    access: 'public',
    note: "the API's description: integrators read it before they have an account",
  },
  { method: 'POST', path: '/api/auth/login', access: 'public' },
  {
    method: 'POST',
    path: '/api/auth/logout',
    access: 'public',
    note: 'ends the session named by the cookie, if any',
  },
  {
    method: 'GET',
    path: '/api/auth/me',
    access: 'public',
    note: 'answers 401 itself when there is no session',
  },
  { method: 'GET', path: '/api/city', access: ALL, note: "the field page's map needs the city's outline" },
  { method: 'GET', path: '/api/layers/:layer', access: CONSOLE },
  { method: 'GET', path: '/api/history/traffic', access: CONSOLE },
  { method: 'GET', path: '/api/ingest/rejects', access: OPS },
  { method: 'GET', path: '/api/cameras/*', access: CONSOLE },
  { method: 'GET', path: '/api/incidents', access: CONSOLE },
  {
    method: 'GET',
    path: '/api/incidents/unplaced',
    access: CONSOLE,
    note: 'Open311 reports given with an address only, waiting to be placed on the map',
  },
  { method: 'POST', path: '/api/incidents/unplaced/:id/place', access: OPS, note: 'makes its incident' },
  { method: 'GET', path: '/api/incidents/:id', access: CONSOLE },
  { method: 'PATCH', path: '/api/incidents/:id', access: OPS },
  { method: 'POST', path: '/api/incidents/:id/merge', access: OPS },
  { method: 'POST', path: '/api/reports', access: REPORTERS },
  {
    method: 'GET',
    path: '/api/units',
    access: CONSOLE,
    note: 'patrol and field units (also the live units layer)',
  },
  {
    method: 'POST',
    path: '/api/units/me/position',
    access: REPORTERS,
    note: "a phone shares its position while on duty: the account's own unit",
  },
  { method: 'POST', path: '/api/units/me/off-duty', access: REPORTERS },
  { method: 'GET', path: '/api/tasks', access: REPORTERS, note: "the tasks of the caller's own unit" },
  {
    method: 'POST',
    path: '/api/tasks/:id/:step',
    access: REPORTERS,
    note: "only the unit's own account: checked by the route",
  },
  { method: 'GET', path: '/api/reports/status', access: REPORTERS, note: 'a field user sees only their own' },
  { method: 'GET', path: '/api/reports/mine', access: REPORTERS, note: "the caller's own reports only" },
  {
    method: 'POST',
    path: '/api/incidents/:id/notes',
    access: OPS,
    note: 'a note to the reporter, without a step',
  },
  {
    method: 'GET',
    path: '/api/crowd-thresholds',
    access: CONSOLE,
    note: "the hotspot layer's thresholds; admins change them under /api/admin",
  },
  { method: 'GET', path: '/api/photos/*', access: ALL, note: 'a field user sees only their own' },
  {
    method: 'GET',
    path: '/api/dashboard/security',
    access: OPS,
    note: 'information security is for operators and admins only (issue 15); each view is audited',
  },
  { method: 'GET', path: '/api/dashboard/*', access: ['leader', 'operator', 'admin'] },
  {
    method: 'GET',
    path: '/api/security/*',
    access: OPS,
    note: "the SOC's events and the public systems' availability; each view is audited",
  },
  {
    method: 'GET',
    path: '/api/services/tiles',
    access: CONSOLE,
    note: "the console's province row: one headline figure per service on the indicator feed",
  },
  {
    method: 'GET',
    path: '/api/replay',
    access: CONSOLE,
    note: 'the console rewound to a moment (operators, leaders; never field accounts)',
  },
  { method: 'GET', path: '/api/replay/changes', access: CONSOLE },
  { method: 'GET', path: '/api/replay/markers', access: CONSOLE },
  { method: 'GET', path: '/api/alarms', access: CONSOLE, note: 'leaders read the alarms' },
  { method: 'GET', path: '/api/alarms/:id/history', access: CONSOLE },
  { method: 'POST', path: '/api/alarms/acknowledge', access: OPS, note: 'operators answer alarms' },
  { method: 'POST', path: '/api/alarms/:id/actions', access: OPS },
  {
    method: 'POST',
    path: '/api/ingest/:source',
    access: 'public',
    note: "other systems' indicator values: the source's API key, checked by the route; rate limited",
  },
  { method: 'GET', path: '/api/indicators', access: CONSOLE, note: 'the indicator catalogue' },
  { method: 'GET', path: '/api/indicators/:id/series', access: CONSOLE, note: 'figures from the aggregates' },
  { method: '*', path: '/api/admin/*', access: ['admin'] },
  { method: 'GET', path: '/metrics', access: ['admin'], note: 'or the METRICS_TOKEN bearer token' },
  { method: 'GET', path: '/open311/v2/*', access: 'public', note: 'GeoReport v2 is a public API' },
  {
    method: 'POST',
    path: '/open311/v2/*',
    access: 'public',
    note: 'citizens report without an account; rate limited',
  },
];

/** Socket.IO layers and who may subscribe to them. */
export const LAYER_ROLES: Record<string, readonly Role[]> = {
  traffic: CONSOLE,
  cameras: CONSOLE,
  incidents: CONSOLE,
  alerts: CONSOLE,
  alarms: CONSOLE,
  units: CONSOLE,
};

function compile(pattern: string): RegExp {
  const rest = pattern.endsWith('/*');
  const base = rest ? pattern.slice(0, -2) : pattern;
  const body = base
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}${rest ? '(?:/.*)?' : ''}/?$`);
}

const COMPILED = API_RULES.map((r) => ({ ...r, re: compile(r.path) }));

/** The rule for a request, or undefined when none names it. */
export function ruleFor(method: string, path: string): Rule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return COMPILED.find((r) => (r.method === '*' || r.method === m) && r.re.test(path));
}

export function allows(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  if (!role) return false;
  return access === 'session' || access.includes(role);
}
