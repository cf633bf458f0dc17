// The OpenAPI 3.1 description of the HTTP API (`GET /api/openapi.json`). The paths and methods are read
// from the app's own routers, so a route cannot be missing; queries, bodies and answers are the zod
// schemas the routes validate with (z.toJSONSchema), never a second copy; who may call is the access table.

import type { Express } from 'express';
import { z } from 'zod';
import {
  AlarmActionSchema,
  AlarmBulkAckSchema,
  AlarmRuleUpdateSchema,
  OutOfServiceSchema,
} from '#contract/alarms.ts';
import { ApiErrorSchema, HealthDraftSchema, HealthSchema } from '#contract/api.ts';
import { CityGeoJsonSchema } from '#contract/assets.ts';
import {
  CreateIndicatorSchema,
  CreateSourceSchema,
  IngestBatchSchema,
  PutAgencySchema,
  PutLabelSchema,
  UpdateIndicatorSchema,
  UpdateSourceSchema,
} from '#contract/indicators.ts';
import { UnitSaveSchema } from '#contract/units.ts';
import { ruleFor } from '../auth/policy.ts';
import { AuditQuery, CreateDevice, CreateUser, UpdateDevice, UpdateUser } from './adminRouter.ts';
import { AlarmListQuery } from './alarmsRouter.ts';
import { EventsQuery, HistoryQuery, RejectsQuery } from './apiRouter.ts';
import { LoginBody } from './authRouter.ts';
import { ActionBody, IncidentListQuery, MergeBody } from './incidentsRouter.ts';
import { SeriesQuery } from './indicatorsRouter.ts';
import { PostBody as Open311PostBody, RequestsQuery as Open311RequestsQuery } from './open311Router.ts';
import { ReportFields } from './reportsRouter.ts';
import type { OperationDoc } from './routeDoc.ts';

/** Descriptions of routes written directly in the routers, by `METHOD path` as Express names it. */
const DOCS: Record<string, OperationDoc> = {
  'GET /api/health': {
    summary: 'Health: today’s summary, or the health-check draft with Accept: application/health+json',
    response: HealthSchema,
  },
  'GET /api/openapi.json': { summary: 'This description' },
  'GET /metrics': { summary: 'Prometheus metrics', produces: 'text/plain; version=0.0.4' },
  'POST /api/auth/login': { summary: 'Log in: sets the session cookie', body: LoginBody },
  'POST /api/auth/logout': { summary: 'Log out: ends the session of the cookie' },
  'GET /api/auth/me': { summary: 'The account of the session and the pages it may open' },
  'GET /api/city': { summary: 'The city model as GeoJSON', response: CityGeoJsonSchema },
  'GET /api/layers/:layer': { summary: 'A live layer’s current state (what Socket.IO’s snapshot holds)' },
  'GET /api/history/traffic': { summary: 'Traffic of a segment over time', query: HistoryQuery },
  'GET /api/ingest/rejects': { summary: 'The reject log, newest first', query: RejectsQuery },
  'GET /api/cameras/:id/events': { summary: 'Recent events of a camera', query: EventsQuery },
  'GET /api/cameras/:id/snapshot': {
    summary: 'A camera’s latest frame (or a redirect to it)',
    produces: 'image/*',
  },
  'GET /api/incidents': { summary: 'Incidents', query: IncidentListQuery },
  'GET /api/incidents/:id': { summary: 'One incident with its history' },
  'PATCH /api/incidents/:id': { summary: 'A step of the incident lifecycle', body: ActionBody },
  'POST /api/incidents/:id/merge': { summary: 'Merge duplicates into this incident', body: MergeBody },
  'POST /api/reports': { summary: 'A field report with photos', body: ReportFields, multipart: true },
  'GET /api/reports/status': { summary: 'Status of field reports by id (a field user’s own)' },
  'GET /api/photos/:id': { summary: 'A report’s photo', produces: 'image/jpeg' },
  'GET /api/photos/:id/thumb': { summary: 'A report’s photo, small', produces: 'image/jpeg' },
  'GET /api/services/tiles': { summary: 'One headline figure per service on the indicator feed' },
  'GET /api/alarms': { summary: 'Alarms', query: AlarmListQuery },
  'GET /api/alarms/:id/history': { summary: 'An alarm’s transitions' },
  'POST /api/alarms/acknowledge': { summary: 'Acknowledge alarms', body: AlarmBulkAckSchema },
  'POST /api/alarms/:id/actions': {
    summary: 'Acknowledge, shelve, unshelve an alarm',
    body: AlarmActionSchema,
  },
  'POST /api/ingest/:source': {
    summary: 'Indicator values from another system (its API key in Authorization: Bearer)',
    body: IngestBatchSchema,
  },
  'GET /api/indicators': { summary: 'The indicator catalogue' },
  'GET /api/indicators/:id/series': { summary: 'An indicator’s figures over time', query: SeriesQuery },
  'GET /api/admin/users': { summary: 'Accounts' },
  'POST /api/admin/users': { summary: 'Create an account', body: CreateUser },
  'PATCH /api/admin/users/:id': { summary: 'Change an account', body: UpdateUser },
  'GET /api/admin/devices': { summary: 'MQTT devices' },
  'POST /api/admin/devices': { summary: 'Register a device', body: CreateDevice },
  'PATCH /api/admin/devices/:id': { summary: 'Change a device', body: UpdateDevice },
  'GET /api/admin/audit': { summary: 'The audit log', query: AuditQuery },
  'GET /api/admin/units': { summary: 'Patrol and field units, with their linked field accounts' },
  'PUT /api/admin/units/:id': { summary: 'Register or change a unit', body: UnitSaveSchema },
  'GET /api/admin/alarm-rules': { summary: 'The alarm rules’ settings' },
  'PUT /api/admin/alarm-rules/:rule': { summary: 'Change an alarm rule', body: AlarmRuleUpdateSchema },
  'GET /api/admin/out-of-service': { summary: 'Assets out of service' },
  'PUT /api/admin/out-of-service/:assetId': {
    summary: 'Take an asset out of service',
    body: OutOfServiceSchema,
  },
  'DELETE /api/admin/out-of-service/:assetId': { summary: 'Return an asset to service' },
  'GET /api/admin/indicators': { summary: 'The indicator catalogue, disabled ones too' },
  'POST /api/admin/indicators': { summary: 'Add an indicator', body: CreateIndicatorSchema },
  'PATCH /api/admin/indicators/:id': { summary: 'Change an indicator', body: UpdateIndicatorSchema },
  'PUT /api/admin/agencies/:id': { summary: 'Name an agency', body: PutAgencySchema },
  'PUT /api/admin/indicator-labels/:dimension/:code': { summary: 'Name a code', body: PutLabelSchema },
  'GET /api/admin/indicator-sources': { summary: 'Sources of the indicator feed' },
  'POST /api/admin/indicator-sources': { summary: 'Add a source', body: CreateSourceSchema },
  'PATCH /api/admin/indicator-sources/:id': { summary: 'Change a source', body: UpdateSourceSchema },
  'POST /api/admin/indicator-sources/:id/key': { summary: 'Issue a source’s API key (shown once)' },
  'DELETE /api/admin/indicator-sources/:id/key': { summary: 'Revoke a source’s API key' },
  'GET /open311/v2/:file': {
    summary: 'GeoReport v2: discovery.json, services.json, requests.json',
    query: Open311RequestsQuery,
  },
  'GET /open311/v2/requests/:file': { summary: 'GeoReport v2: one request ({id}.json)' },
  'POST /open311/v2/:file': { summary: 'GeoReport v2: report (requests.json)', body: Open311PostBody },
};

/** A route as the app answers it. */
export interface AppRoute {
  method: string;
  /** as Express names it: `/api/incidents/:id` */
  path: string;
  doc?: OperationDoc;
}

interface Layer {
  route?: {
    path: unknown;
    methods: Record<string, boolean>;
    stack: Array<{ handle: { openapi?: OperationDoc } }>;
  };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** The routes of the HTTP API the app answers (/api, /open311, /metrics), read from its routers. */
export function apiRoutes(app: Express): AppRoute[] {
  const out = new Map<string, AppRoute>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const l of stack) {
      if (l.route && typeof l.route.path === 'string') {
        const path = prefix + l.route.path;
        if (!(path.startsWith('/api/') || path.startsWith('/open311/') || path === '/metrics')) continue;
        const doc = l.route.stack.map((s) => s.handle.openapi).find(Boolean);
        for (const [m, on] of Object.entries(l.route.methods)) {
          if (!on || m === '_all') continue;
          const method = m.toUpperCase();
          const key = `${method} ${path}`;
          const before = out.get(key);
          out.set(key, { method, path, doc: before?.doc ?? doc ?? DOCS[key] });
        }
      } else if (l.handle?.stack) {
        const at = typeof l.rawPath === 'string' && l.rawPath !== '/' ? l.rawPath : '';
        walk(l.handle.stack, prefix + at);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...out.values()];
}

/** `/api/incidents/:id` → `/api/incidents/{id}`; a `*rest` wildcard → `{rest}`. */
export function openApiPath(path: string): string {
  return path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
}

/** A regular expression matching the request paths a route pattern answers. */
export function routePattern(path: string): RegExp {
  const body = path
    .split('/')
    .map((seg) =>
      seg.startsWith(':') ? '[^/]+' : seg.startsWith('*') ? '.+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${body}/?$`);
}

const jsonSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;

/** A query schema's fields as OpenAPI parameters. */
function queryParameters(s: z.ZodType): object[] {
  const js = jsonSchema(s) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    schema,
  }));
}

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } };

/** The OpenAPI 3.1 document of the routes `app` answers. */
export function openApiDocument(app: Express, opts: { version?: string } = {}): object {
  const paths: Record<string, Record<string, object>> = {};
  const routes = apiRoutes(app).sort((a, b) => a.path.localeCompare(b.path));
  for (const r of routes) {
    const p = openApiPath(r.path);
    const doc = r.doc ?? {};
    const rule = ruleFor(r.method, r.path.replace(/[:*][A-Za-z0-9_]+/g, 'x'));
    const access = rule?.access ?? [];
    const parameters = [
      ...[...p.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(doc.query ? queryParameters(doc.query) : []),
    ];
    const ok: Record<string, object> = doc.produces
      ? { [doc.produces]: {} }
      : { 'application/json': doc.response ? { schema: jsonSchema(doc.response) } : {} };
    if (r.path === '/api/health') ok['application/health+json'] = { schema: jsonSchema(HealthDraftSchema) };
    const responses: Record<string, object> = {
      [r.method === 'POST' ? '2XX' : '200']: { description: 'done', content: ok },
      '400': { description: 'invalid request: `details` names the fields', content: ERROR },
    };
    if (access !== 'public') {
      responses['401'] = {
        description: 'no session (WWW-Authenticate says how to authenticate)',
        content: ERROR,
      };
      responses['403'] = { description: 'the role may not call this', content: ERROR };
    }
    responses.default = { description: 'error', content: ERROR };
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${p.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: doc.summary ?? `${r.method} ${p}`,
      tags: [p.split('/')[1] === 'api' ? (p.split('/')[2] ?? 'api').replace(/\..*$/, '') : p.split('/')[1]],
      'x-access': access,
      ...(parameters.length ? { parameters } : {}),
      responses,
    };
    if (access === 'public') op.security = [];
    if (doc.body)
      op.requestBody = {
        required: true,
        content: doc.multipart
          ? { 'multipart/form-data': { schema: jsonSchema(doc.body) } }
          : { 'application/json': { schema: jsonSchema(doc.body) } },
      };
    paths[p] ??= {};
    (paths[p] as Record<string, object>)[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'IOC HTTP API',
      version: opts.version ?? '0',
      description:
        'Intelligent Operations Center. Errors answer { error: { code, message, details? } }; codes are stable, messages English.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ioc_session' },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a session token, the METRICS_TOKEN, or a source’s API key',
        },
      },
      schemas: { ApiError: jsonSchema(ApiErrorSchema) },
    },
    paths,
  };
}
