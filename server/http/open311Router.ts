import express, { type ErrorRequestHandler, type Request, Router } from 'express';
import { z } from 'zod';
import { CATEGORY_NAMES, incidentNumber, MAX_DESCRIPTION_CHARS } from '#contract/incidentsApi.ts';
import { CONTROL_CHARS_MESSAGE, hasBadTokenChars } from '#contract/text.ts';
import { INCIDENT_CATEGORIES, type IncidentState } from '#contract/vocab.ts';
import { actorOf } from '../auth/guard.ts';
import type { IncidentRecord } from '../store/incidentsRepo.ts';
import { HttpError } from './errors.ts';
import { QueryTime } from './query.ts';
import { checkPosition, type IncidentDeps, optionalText, throwIssues, zodIssues } from './reportsRouter.ts';

/** GeoReport v2 (http://wiki.open311.org/GeoReport_v2), JSON only. */
const BASE = '/open311/v2';
const CHANGESET = '2026-01-01T00:00:00Z';
const DEFAULT_RANGE_MS = 90 * 86_400_000;
const MAX_REQUESTS = 1000;

const OPEN_STATES: IncidentState[] = ['new', 'acknowledged', 'dispatched', 'resolved'];

// every parameter is a string without control characters (NUL would fail the database's query)
const param = () => z.string().refine((s) => !hasBadTokenChars(s), CONTROL_CHARS_MESSAGE);

const list = <T extends string>(values: readonly T[], what: string) =>
  param()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, `${what} must be one of ${values.join(', ')}`)));

export const RequestsQuery = z.object({
  service_request_id: param()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .optional(),
  service_code: list(INCIDENT_CATEGORIES, 'service_code').optional(),
  status: list(['open', 'closed'] as const, 'status').optional(),
  start_date: QueryTime.optional(),
  end_date: QueryTime.optional(),
});

export const PostBody = z.object({
  description: optionalText(MAX_DESCRIPTION_CHARS),
  address_string: optionalText(500),
  media_url: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2000)
      // the URL parser would take a NUL or a newline in it; the database and a log line would not
      .refine((s) => !hasBadTokenChars(s), CONTROL_CHARS_MESSAGE)
      .optional(),
  ),
  first_name: optionalText(100),
  last_name: optionalText(100),
  email: optionalText(200),
});

/** Accepts `1234` and the report number `PA-001234` as a service_request_id. */
function requestId(s: string): string | undefined {
  const m = /^(?:PA-)?0*(\d{1,18})$/i.exec(s.trim());
  return m && m[1] !== '' ? m[1] : undefined;
}

/** Open311 GeoReport v2: discovery, services, requests (list, create, one). Errors as `[{ code, description }]`. */
export function open311Router(deps: IncidentDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  const origin = (req: Request) => `${req.protocol}://${req.get('host')}`;

  const asRequest = (req: Request, x: IncidentRecord) => {
    const media = x.firstPhotoId
      ? `${origin(req)}/api/photos/${x.firstPhotoId}`
      : x.photoUrl
        ? new URL(x.photoUrl, origin(req)).toString()
        : null;
    return {
      service_request_id: x.id,
      status: x.status === 'closed' ? 'closed' : 'open',
      status_notes: x.mergedInto
        ? `merged into ${incidentNumber(x.mergedInto)} (service_request_id ${x.mergedInto})`
        : (x.lastNote ?? null),
      service_name: CATEGORY_NAMES[x.category]?.vi ?? x.category,
      service_code: x.category,
      description: x.description ?? null,
      agency_responsible: null,
      service_notice: `Số phản ánh / report number ${x.number}`,
      requested_datetime: new Date(x.ts).toISOString(),
      updated_datetime: new Date(x.updatedAt).toISOString(),
      expected_datetime: null,
      address: x.address ?? null,
      address_id: null,
      zipcode: null,
      lat: x.lat,
      long: x.lon,
      media_url: media,
    };
  };

  // `.xml` and any other format: the spec's JSON error, saying what is served
  const json = (name: string) => (req: Request, _res: unknown, next: (err?: unknown) => void) => {
    const m = new RegExp(`^${name}\\.(\\w+)$`).exec(String(req.params.file ?? ''));
    if (!m) return next('route');
    if (m[1] !== 'json') throw new HttpError(400, 'format', `format ${m[1]} is not served; use ${name}.json`);
    next();
  };

  r.get(`${BASE}/:file`, json('discovery'), (req, res) => {
    res.json({
      changeset: CHANGESET,
      contact: 'Trung tâm Điều hành Đô thị thông minh (IOC)',
      key_service: 'no key is needed',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: `${origin(req)}${BASE}`,
          changeset: CHANGESET,
          type: 'production',
          formats: ['application/json'],
        },
      ],
    });
  });

  r.get(`${BASE}/:file`, json('services'), (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600');
    res.json(
      INCIDENT_CATEGORIES.map((c) => ({
        service_code: c,
        service_name: CATEGORY_NAMES[c].vi,
        description: CATEGORY_NAMES[c].en,
        metadata: false,
        type: 'realtime',
        keywords: c.replace('_', ', '),
        group: CATEGORY_NAMES[c].group,
      })),
    );
  });

  r.get(`${BASE}/:file`, json('requests'), async (req, res) => {
    const parsed = RequestsQuery.safeParse(req.query);
    if (!parsed.success) throwIssues(zodIssues(parsed.error));
    const q = parsed.data!;
    const to = q.end_date ?? now();
    const from = q.start_date ?? to - DEFAULT_RANGE_MS;
    if (from > to) throw new HttpError(400, 'bad_query', 'start_date must be before end_date');
    let ids: string[] | undefined;
    if (q.service_request_id) {
      ids = q.service_request_id.map(requestId).filter((x): x is string => x !== undefined);
    }
    const states = q.status?.flatMap((s) => (s === 'open' ? OPEN_STATES : ['closed' as const]));
    const items = await deps.repo.list({
      ids,
      categories: q.service_code,
      states,
      // the spec: service_request_id ignores the other filters, dates included
      from: ids ? undefined : from,
      to: ids ? undefined : to,
      limit: MAX_REQUESTS,
      order: 'newest',
    });
    res.set('Cache-Control', 'no-store');
    res.json(items.map((x) => asRequest(req, x)));
  });

  r.get(`${BASE}/requests/:file`, async (req, res) => {
    const m = /^(.+)\.(\w+)$/.exec(String(req.params.file));
    if (!m) throw new HttpError(404, 'not_found', 'use requests/{service_request_id}.json');
    if (m[2] !== 'json') throw new HttpError(400, 'format', `format ${m[2]} is not served; use .json`);
    const id = requestId(m[1]);
    const rec = id ? await deps.repo.get(id) : undefined;
    if (!rec) throw new HttpError(404, 'not_found', `service_request_id ${m[1]} not found`);
    res.set('Cache-Control', 'no-store');
    res.json([asRequest(req, rec)]);
  });

  r.post(
    `${BASE}/:file`,
    express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 }),
    json('requests'),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const code = body.service_code;
      if (typeof code !== 'string' || code.trim() === '')
        throw new HttpError(400, 'invalid_field', 'service_code is required');
      if (!(INCIDENT_CATEGORIES as readonly string[]).includes(code))
        throw new HttpError(400, 'invalid_field', `service_code ${code} not found; see services.json`);
      if (body.lat === undefined && body.long === undefined && (body.address_string || body.address_id))
        throw new HttpError(
          400,
          'missing_position',
          'lat and long are required: this server cannot geocode an address',
        );
      const pos = checkPosition({ lat: body.lat, lon: body.long }, deps.assets(), {
        lat: 'lat',
        lon: 'long',
      });
      const parsed = PostBody.safeParse(body);
      throwIssues([...pos.issues, ...(parsed.success ? [] : zodIssues(parsed.error))]);
      const f = parsed.data!;
      const name = [f.first_name, f.last_name].filter(Boolean).join(' ') || f.email || null;
      const out = await deps.repo.createIncident(
        {
          time: now(),
          category: code as (typeof INCIDENT_CATEGORIES)[number],
          lat: pos.lat,
          lon: pos.lon,
          description: f.description ?? null,
          severity: 3,
          reporter: name,
          photoUrl: f.media_url ?? null,
          msgId: null,
          source: 'open311',
        },
        { address: f.address_string ?? null },
      );
      deps.bus.emit('incidents:changed', [out.item]);
      deps.audit?.record({
        ...actorOf(req),
        action: 'report.create',
        target: out.item.id,
        outcome: 'ok',
        details: { source: 'open311', category: code },
      });
      res
        .status(201)
        .location(`${BASE}/requests/${out.item.id}.json`)
        .json([
          {
            service_request_id: out.item.id,
            service_notice: `Số phản ánh / report number ${incidentNumber(out.item.id)}`,
            account_id: null,
          },
        ]);
    },
  );

  r.use(BASE, (req, _res, next) =>
    next(new HttpError(404, 'not_found', `no such resource: ${req.method} ${req.originalUrl}`)),
  );

  r.use(BASE, open311Errors);
  return r;
}

/**
 * The spec's error shape, an array of `{ code: <HTTP status>, description }`; mount it under
 * `/open311` before the app's JSON error handler so body-parser errors get it too.
 */
export const open311Errors: ErrorRequestHandler = (err, _req, res, next) => {
  let status = 500;
  let description = 'internal error';
  if (err instanceof HttpError) {
    status = err.status;
    description = err.message;
  } else if (err?.type === 'entity.too.large') {
    status = 413;
    description = 'request body too large';
  } else if (err?.type === 'entity.parse.failed') {
    status = 400;
    description = 'request body is not valid JSON';
  } else return next(err);
  if (res.headersSent) return;
  res.status(status).json([{ code: status, description }]);
};
