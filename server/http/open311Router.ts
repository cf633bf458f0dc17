import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  Router,
} from 'express';
import { z } from 'zod';
import { CATEGORY_NAMES, incidentNumber, MAX_DESCRIPTION_CHARS } from '#contract/incidentsApi.ts';
import { CONTROL_CHARS_MESSAGE, hasBadTokenChars } from '#contract/text.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory, type IncidentState } from '#contract/vocab.ts';
import { actorOf } from '../auth/guard.ts';
import { isOwnOrigin } from '../domain/origin.ts';
import type { IncidentRecord } from '../store/incidentsRepo.ts';
import type { PreparedPhoto } from '../store/photoStore.ts';
import { HttpError } from './errors.ts';
import { toXml } from './open311Xml.ts';
import { PhotoGate } from './photoGate.ts';
import { QueryTime } from './query.ts';
import {
  checkPosition,
  decodePhotos,
  type IncidentDeps,
  optionalText,
  photoRef,
  photoUpload,
  throwIssues,
  type Upload,
  zodIssues,
} from './reportsRouter.ts';

/** GeoReport v2 (http://wiki.open311.org/GeoReport_v2), in XML (the spec's default) and JSON. */
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
  address_id: optionalText(200),
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

type Format = 'json' | 'xml';

/** `name.json` → json, `name.xml` → xml; undefined for another name; throws for another format. */
function formatOf(file: string, name: string): Format | undefined {
  const dot = file.lastIndexOf('.');
  if (dot < 0 || file.slice(0, dot) !== name) return undefined;
  const ext = file.slice(dot + 1);
  if (ext === 'json' || ext === 'xml') return ext;
  throw new HttpError(400, 'format', `format ${ext} is not served; use ${name}.xml or ${name}.json`);
}

/** The format an error is answered in: the one the path asked for, JSON when it asked for none. */
const formatOfPath = (p: string): Format => (/\.xml$/i.test(p) ? 'xml' : 'json');

/** Answers `body` as JSON, or as XML under `root` (lists' items named as the spec names them). */
function send(res: Response, f: Format, root: string, body: unknown): void {
  if (f === 'json') return void res.json(body);
  res.type('application/xml; charset=utf-8').send(toXml(root, body));
}

/**
 * Open311 is public by design: any site's page may call it, without credentials (no cookie is
 * honoured from another site, so a logged-in operator's session never files a citizen's report).
 * Mounted before the same-origin guard that protects the rest of the server.
 */
export const open311Cors: RequestHandler = (req, res, next) => {
  res.set({
    'Access-Control-Allow-Origin': '*',
    // its media and answers may be embedded by other sites (helmet's default is same-origin)
    'Cross-Origin-Resource-Policy': 'cross-origin',
  });
  const origin = req.get('origin');
  if (req.method === 'OPTIONS') {
    const asked = req.get('access-control-request-headers');
    res.set({
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers':
        asked && /^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/.test(asked) ? asked : 'Content-Type',
      'Access-Control-Max-Age': '86400',
    });
    return void res.status(204).end();
  }
  if (origin && !isOwnOrigin(origin, req.get('host'))) delete req.headers.cookie;
  next();
};

/** Open311 GeoReport v2: discovery, services and their definitions, requests (list, create, one), tokens. */
export function open311Router(deps: IncidentDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  const gate = deps.photoGate ?? new PhotoGate();
  const origin = (req: Request) => `${req.protocol}://${req.get('host')}`;

  // Media the public may open: a photo sent through Open311 (served below); a URL the reporter gave.
  // Photos of field crews and camera snapshots (the city's or the camera's own URL) stay behind a login.
  const mediaOf = (req: Request, x: IncidentRecord): string | null => {
    if (x.source === 'camera') return null;
    if (x.source === 'open311' && x.firstPhotoId) return `${origin(req)}${BASE}/media/${x.firstPhotoId}.jpg`;
    if (x.photoUrl && /^https?:\/\//i.test(x.photoUrl) && !x.photoUrl.startsWith(origin(req)))
      return x.photoUrl;
    return null;
  };

  const asRequest = (req: Request, x: IncidentRecord) => ({
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
    media_url: mediaOf(req, x),
  });

  /** Routes `GET BASE/<name>.<format>` to `handler` with the format. */
  const named =
    (name: string, handler: (req: Request, res: Response, f: Format) => Promise<void> | void) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const f = formatOf(String(req.params.file ?? ''), name);
      if (!f) return next('route');
      await handler(req, res, f);
    };

  r.get(
    `${BASE}/:file`,
    named('discovery', (req, res, f) => {
      send(res, f, 'discovery', {
        changeset: CHANGESET,
        contact: 'Trung tâm Điều hành Đô thị thông minh (IOC)',
        key_service: 'no key is needed',
        endpoints: [
          {
            specification: 'http://wiki.open311.org/GeoReport_v2',
            url: `${origin(req)}${BASE}`,
            changeset: CHANGESET,
            type: 'production',
            formats: ['text/xml', 'application/json'],
          },
        ],
      });
    }),
  );

  r.get(
    `${BASE}/:file`,
    named('services', (_req, res, f) => {
      res.set('Cache-Control', 'public, max-age=3600');
      send(
        res,
        f,
        'services',
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
    }),
  );

  // a service's definition: none of ours asks for more than the standard fields (metadata false)
  r.get(`${BASE}/services/:file`, (req, res) => {
    const m = /^(.+)\.(\w+)$/.exec(String(req.params.file));
    if (!m) throw new HttpError(404, 'not_found', 'use services/{service_code}.xml or .json');
    const f = formatOf(String(req.params.file), m[1]);
    if (!(INCIDENT_CATEGORIES as readonly string[]).includes(m[1]))
      throw new HttpError(404, 'not_found', `service_code ${m[1]} not found; see services.${f}`);
    res.set('Cache-Control', 'public, max-age=3600');
    send(res, f!, 'service_definition', { service_code: m[1], attributes: [] });
  });

  r.get(
    `${BASE}/:file`,
    named('requests', async (req, res, f) => {
      const parsed = RequestsQuery.safeParse(req.query);
      if (!parsed.success) throwIssues(zodIssues(parsed.error));
      const q = parsed.data!;
      const to = q.end_date ?? now();
      const from = q.start_date ?? to - DEFAULT_RANGE_MS;
      const ids = q.service_request_id?.map(requestId).filter((x): x is string => x !== undefined);
      if (!ids && from > to) throw new HttpError(400, 'bad_query', 'start_date must be before end_date');
      // the spec: service_request_id overrides every other filter, dates included
      const items = ids
        ? await deps.repo.list({ ids, limit: MAX_REQUESTS, order: 'newest' })
        : await deps.repo.list({
            categories: q.service_code,
            states: q.status?.flatMap((s) => (s === 'open' ? OPEN_STATES : ['closed' as const])),
            from,
            to,
            limit: MAX_REQUESTS,
            order: 'newest',
          });
      res.set('Cache-Control', 'no-store');
      send(
        res,
        f,
        'service_requests',
        items.map((x) => asRequest(req, x)),
      );
    }),
  );

  r.get(`${BASE}/requests/:file`, async (req, res) => {
    const m = /^(.+)\.(\w+)$/.exec(String(req.params.file));
    if (!m) throw new HttpError(404, 'not_found', 'use requests/{service_request_id}.xml or .json');
    const f = formatOf(String(req.params.file), m[1])!;
    const id = requestId(m[1]);
    const rec = id ? await deps.repo.get(id) : undefined;
    if (!rec) throw new HttpError(404, 'not_found', `service_request_id ${m[1]} not found`);
    res.set('Cache-Control', 'no-store');
    send(res, f, 'service_requests', [asRequest(req, rec)]);
  });

  // a report given with an address only: its service_request_id once an operator has placed it
  r.get(`${BASE}/tokens/:file`, async (req, res) => {
    const m = /^(.+)\.(\w+)$/.exec(String(req.params.file));
    if (!m) throw new HttpError(404, 'not_found', 'use tokens/{token}.xml or .json');
    const f = formatOf(String(req.params.file), m[1])!;
    const t = deps.unplaced ? await deps.unplaced.byToken(m[1]) : undefined;
    if (!t) throw new HttpError(404, 'not_found', `token ${m[1]} not found`);
    res.set('Cache-Control', 'no-store');
    send(res, f, 'service_requests', [{ service_request_id: t.incidentId, token: m[1].toLowerCase() }]);
  });

  // the photo a citizen sent through Open311, as public as the report itself
  r.get(`${BASE}/media/:file`, async (req, res) => {
    const m = /^([0-9a-f-]{36})\.jpg$/i.exec(String(req.params.file));
    const meta = m ? await deps.repo.photoMeta(m[1]) : undefined;
    const rec = meta ? await deps.repo.get(meta.incidentId) : undefined;
    const file = rec?.source === 'open311' && meta ? await deps.photos.open(meta.id, 'full') : undefined;
    if (!meta || !file) throw new HttpError(404, 'not_found', `no media ${req.params.file}`);
    res.set({
      'Content-Type': meta.contentType,
      'Content-Length': String(file.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'public, max-age=86400',
      'Content-Security-Policy': "default-src 'none'",
    });
    file.stream.on('error', (err) => res.destroy(err));
    file.stream.pipe(res);
  });

  const formBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 });
  const mediaUpload = photoUpload('media', 1);
  r.post(
    `${BASE}/:file`,
    (req, res, next) =>
      req.is('multipart/form-data') ? mediaUpload(req, res, next) : formBody(req, res, next),
    named('requests', async (req, res, f) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const code = body.service_code;
      if (typeof code !== 'string' || code.trim() === '')
        throw new HttpError(400, 'invalid_field', 'service_code is required');
      if (!(INCIDENT_CATEGORIES as readonly string[]).includes(code))
        throw new HttpError(400, 'invalid_field', `service_code ${code} not found; see services.${f}`);
      const category = code as IncidentCategory;
      const blank = (v: unknown) =>
        v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
      // the spec: a location is lat & long, or address_string, or address_id; this server cannot geocode,
      // so an address alone waits, unplaced, for an operator to place it on the map
      const unplaced =
        blank(body.lat) && blank(body.long) && !(blank(body.address_string) && blank(body.address_id));
      const pos = unplaced
        ? { issues: [], lat: Number.NaN, lon: Number.NaN }
        : checkPosition({ lat: body.lat, lon: body.long }, deps.assets(), { lat: 'lat', lon: 'long' });
      const parsed = PostBody.safeParse(body);
      throwIssues([...pos.issues, ...(parsed.success ? [] : zodIssues(parsed.error))]);
      const fields = parsed.data!;
      if (unplaced && !deps.unplaced)
        throw new HttpError(400, 'missing_position', 'lat and long are required: this server cannot geocode');
      const photo = await mediaPhoto(req, res);
      const name = [fields.first_name, fields.last_name].filter(Boolean).join(' ') || fields.email || null;
      const audit = (target: string, details: Record<string, unknown>) =>
        deps.audit?.record({
          ...actorOf(req),
          action: 'report.create',
          target,
          outcome: 'ok',
          details: { source: 'open311', category, photos: photo ? 1 : 0, ...details },
        });
      if (unplaced) {
        const kept = await deps.unplaced!.add({
          category,
          description: fields.description ?? null,
          address: fields.address_string ?? null,
          addressId: fields.address_id ?? null,
          reporter: name,
          mediaUrl: fields.media_url ?? null,
          photo,
          time: now(),
        });
        audit(`unplaced:${kept.id}`, { unplaced: true });
        return void res
          .status(201)
          .location(`${BASE}/tokens/${kept.token}.${f}`)
          .type(f === 'xml' ? 'application/xml; charset=utf-8' : 'application/json')
          .send(
            f === 'xml'
              ? toXml('service_requests', [
                  { token: kept.token, service_notice: UNPLACED_NOTICE, account_id: null },
                ])
              : JSON.stringify([{ token: kept.token, service_notice: UNPLACED_NOTICE, account_id: null }]),
          );
      }
      const out = await deps.repo.createIncident(
        {
          time: now(),
          category,
          lat: pos.lat,
          lon: pos.lon,
          description: fields.description ?? null,
          severity: 3,
          reporter: name,
          photoUrl: photo ? photoRef(photo.id).url : (fields.media_url ?? null),
          msgId: null,
          source: 'open311',
        },
        { address: fields.address_string ?? null, photos: photo ? [photo] : [] },
      );
      deps.bus.emit('incidents:changed', [out.item]);
      audit(out.item.id, {});
      res.status(201).location(`${BASE}/requests/${out.item.id}.${f}`);
      send(res, f, 'service_requests', [
        {
          service_request_id: out.item.id,
          service_notice: `Số phản ánh / report number ${incidentNumber(out.item.id)}`,
          account_id: null,
        },
      ]);
    }),
  );

  /** The photo in the form's `media` field, decoded like a field report's; a bad one is a 400. */
  async function mediaPhoto(req: Request, res: Response): Promise<PreparedPhoto | undefined> {
    const files = ((req.files as unknown as Upload[] | undefined) ?? []).filter(Boolean);
    const refused = files.find((u) => u.refused);
    if (refused?.refused)
      throw new HttpError(400, 'invalid_field', `media: ${refused.refused.message}`, [
        { field: 'media', message: refused.refused.message },
      ]);
    if (files.length === 0) return undefined;
    const [p] = await decodePhotos(deps, gate, req, res, files.slice(0, 1));
    files.forEach((u) => {
      u.buffer = undefined;
    });
    if (!p) return undefined;
    if (!p.ok)
      throw new HttpError(400, 'invalid_field', `media: ${p.message}`, [
        { field: 'media', message: p.message },
      ]);
    return p.photo;
  }

  r.use(BASE, (req, _res, next) =>
    next(new HttpError(404, 'not_found', `no such resource: ${req.method} ${req.originalUrl}`)),
  );

  r.use(BASE, open311Errors);
  return r;
}

const UNPLACED_NOTICE =
  'Chưa có vị trí: trung tâm sẽ đặt phản ánh lên bản đồ / no position yet: an operator will place the report on the map';

/**
 * The spec's error shape, a list of `{ code: <HTTP status>, description }` (`<errors><error>` in XML);
 * mount it under `/open311` before the app's JSON error handler so body-parser errors get it too.
 */
export const open311Errors: ErrorRequestHandler = (err, req, res, next) => {
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
  res.status(status);
  send(res, formatOfPath(req.path), 'errors', [{ code: status, description }]);
};
