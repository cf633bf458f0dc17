import type { Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { CityModel } from '#contract/assets.ts';
import {
  incidentNumber,
  MAX_DESCRIPTION_CHARS,
  MAX_PHOTO_BYTES,
  MAX_PHOTOS,
  type MyReportsPage,
  type PhotoRef,
  type RejectedPhoto,
  type ReportCreated,
} from '#contract/incidentsApi.ts';
import { text } from '#contract/text.ts';
import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
import { actorOf } from '../auth/guard.ts';
import type { Bus } from '../bus.ts';
import type { AssetIndex } from '../domain/assetIndex.ts';
import { inArea } from '../domain/assetIndex.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { IncidentReportRecord } from '../domain/records.ts';
import type { IncidentsRepo } from '../store/incidentsRepo.ts';
import type { PhotoStore, PreparedPhoto, PrepareResult } from '../store/photoStore.ts';
import type { UnplacedReportsRepo } from '../store/unplacedReportsRepo.ts';
import { HttpError } from './errors.ts';
import { PhotoBusyError, PhotoGate } from './photoGate.ts';

/** What the report, incident and Open311 routers need; the composition root builds it. */
export interface IncidentDeps {
  repo: IncidentsRepo;
  photos: PhotoStore;
  bus: Bus;
  city: () => CityModel;
  assets: () => AssetIndex;
  now?: () => number;
  /** uploads and incident actions are recorded here */
  audit?: AuditLog;
  /** the units an incident may be given to (`assign` with `unitId`, issue 15); left out, only `assignee` */
  units?: Pick<import('../units/unitsModule.ts').UnitsService, 'assign'>;
  /** what decoding photos may cost per account and at once; default `new PhotoGate()` */
  photoGate?: PhotoGate;
  /** Open311 reports given with an address only, until an operator places them; left out, such a report is refused */
  unplaced?: UnplacedReportsRepo;
}

/** A photo over this is refused for the whole request (413); between MAX_PHOTO_BYTES and this, only that photo is. */
const HARD_FILE_BYTES = 32 * 1024 * 1024;
/** Files beyond this many end the request (400); between MAX_PHOTOS and this, they are listed as rejected. */
const HARD_FILES = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An uploaded file as the storage engine below leaves it: bytes only when it is a photo we will look at. */
export interface Upload {
  fieldname: string;
  originalname: string;
  size: number;
  buffer?: Buffer;
  refused?: Pick<RejectedPhoto, 'code' | 'message'>;
}

// Memory storage that keeps at most `maxPhotos` photos of at most MAX_PHOTO_BYTES each: a larger or an
// extra file is read to its end and dropped (nothing of it is kept) so the rest of the report survives.
const counts = new WeakMap<Request, number>();
const softLimitStorage = (field: string, maxPhotos: number): multer.StorageEngine => ({
  _handleFile(req, file, cb) {
    const refuse = (code: RejectedPhoto['code'], message: string) => {
      file.stream.resume();
      file.stream.on('end', () => cb(null, { size: 0, refused: { code, message } } as Partial<Upload>));
    };
    if (file.fieldname !== field)
      return refuse(
        'unexpected_file',
        `files are accepted in the field "${field}" only, not "${file.fieldname}"`,
      );
    const n = (counts.get(req) ?? 0) + 1;
    counts.set(req, n);
    if (n > maxPhotos) return refuse('too_many_photos', `at most ${maxPhotos} photos per report`);
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    file.stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_PHOTO_BYTES) chunks = undefined;
      else chunks?.push(c);
    });
    file.stream.on('error', (err) => cb(err));
    file.stream.on('end', () => {
      if (!chunks)
        return cb(null, {
          size,
          refused: {
            code: 'photo_too_large',
            message: `the photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MiB`,
          },
        } as Partial<Upload>);
      cb(null, { size, buffer: Buffer.concat(chunks) } as Partial<Upload>);
    });
  },
  _removeFile(_req, file, cb) {
    (file as Partial<Upload>).buffer = undefined;
    cb(null);
  },
});

/**
 * A multipart form's fields and its photos in the field `field` (at most `maxPhotos` kept), its
 * errors as the contract's; the files land in `req.files` as Upload.
 */
export function photoUpload(field: string, maxPhotos: number): RequestHandler {
  const upload = multer({
    storage: softLimitStorage(field, maxPhotos),
    limits: { fileSize: HARD_FILE_BYTES, files: HARD_FILES, fields: 30, fieldSize: 64 * 1024, parts: 60 },
  }).any();
  return (req, res, next) => upload(req, res, (err: unknown) => multipartError(err, next));
}

export const parseMultipart = photoUpload('photo', MAX_PHOTOS);

function multipartError(err: unknown, next: (err?: unknown) => void) {
  if (!err) return next();
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return next(
          new HttpError(
            413,
            'photo_too_large',
            `a photo is larger than ${HARD_FILE_BYTES / 1024 / 1024} MiB, so nothing was stored; photos up to ${MAX_PHOTO_BYTES / 1024 / 1024} MiB are accepted`,
            [{ field: err.field ?? 'photo', message: `larger than ${HARD_FILE_BYTES / 1024 / 1024} MiB` }],
          ),
        );
      case 'LIMIT_FILE_COUNT':
        return next(new HttpError(400, 'too_many_photos', `at most ${MAX_PHOTOS} photos per report`));
      case 'LIMIT_FIELD_VALUE':
        return next(
          new HttpError(400, 'invalid_field', `field ${err.field} is too long`, [
            { field: err.field ?? '', message: 'too long' },
          ]),
        );
      default:
        return next(new HttpError(400, 'bad_multipart', `the form has too many parts (${err.code})`));
    }
  }
  next(new HttpError(400, 'bad_multipart', `the form could not be read: ${(err as Error).message ?? err}`));
}

export const photoRef = (id: string): PhotoRef => ({
  id,
  url: `/api/photos/${id}`,
  thumbUrl: `/api/photos/${id}/thumb`,
});

export interface FieldIssue {
  field: string;
  message: string;
  code: 'invalid_field' | 'missing_position' | 'out_of_area';
}

/** Throws the 400 of the contract for issues found: the code of the most basic one, every field in details. */
export function throwIssues(issues: FieldIssue[]): void {
  if (issues.length === 0) return;
  const rank = ['missing_position', 'invalid_field', 'out_of_area'] as const;
  const code = rank.find((c) => issues.some((i) => i.code === c)) ?? 'invalid_field';
  throw new HttpError(
    400,
    code,
    issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    issues.map(({ field, message }) => ({ field, message })),
  );
}

/** Checks a reported position: present, numeric, in range, inside the city's area. */
export function checkPosition(
  raw: { lat: unknown; lon: unknown },
  assets: AssetIndex,
  names: { lat: string; lon: string } = { lat: 'lat', lon: 'lon' },
): { issues: FieldIssue[]; lat: number; lon: number } {
  const issues: FieldIssue[] = [];
  const read = (key: 'lat' | 'lon', max: number): number => {
    const v = raw[key];
    const field = names[key];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      issues.push({ field, code: 'missing_position', message: 'required: the position of what is reported' });
      return Number.NaN;
    }
    const n =
      typeof v === 'number'
        ? v
        : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)
          ? Number(v)
          : Number.NaN;
    if (!Number.isFinite(n) || Math.abs(n) > max) {
      issues.push({ field, code: 'invalid_field', message: `must be a number between -${max} and ${max}` });
      return Number.NaN;
    }
    return n;
  };
  const lat = read('lat', 90);
  const lon = read('lon', 180);
  if (issues.length === 0 && !inArea(assets, lon, lat)) {
    const [w, s, e, n] = assets.area;
    const msg = `the position ${lat}, ${lon} is outside the city's area`;
    if (lat < s || lat > n) issues.push({ field: names.lat, code: 'out_of_area', message: msg });
    if (lon < w || lon > e) issues.push({ field: names.lon, code: 'out_of_area', message: msg });
  }
  return { issues, lat, lon };
}

/** Field issues from a zod error, named by field. */
export function zodIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({
    field: i.path.join('.') || 'body',
    code: 'invalid_field' as const,
    message: i.message,
  }));
}

/** Free text of a form: trimmed, empty is left out; no control characters but tab and newlines. */
export const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), text(max).optional());

export const ReportFields = z.object({
  // UUIDs are case-insensitive: stored lower-case so a retry or a status query in other case finds it
  id: z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.string().regex(UUID, 'must be a UUID').optional(),
  ),
  category: z.enum(INCIDENT_CATEGORIES, `must be one of ${INCIDENT_CATEGORIES.join(', ')}`),
  description: optionalText(MAX_DESCRIPTION_CHARS),
  severity: z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? 3 : typeof v === 'string' ? Number(v) : v),
    z.number('must be a whole number from 1 to 5').int('must be a whole number from 1 to 5').min(1).max(5),
  ),
  reporter: optionalText(200),
  // when it was seen, if the phone queued the report offline (ISO-8601 or epoch ms); default: now
  ts: z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' && /^\d{10,16}$/.test(v) ? Number(v) : v),
    z.union([z.number().int(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]).optional(),
  ),
});

const MAX_AGE_MS = 7 * 86_400_000;
const MAX_SKEW_MS = 5 * 60_000;

/** Field reports with photos, a phone's report status, and the stored photos. */
export function reportsRouter(deps: IncidentDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  const gate = deps.photoGate ?? new PhotoGate();

  r.post('/api/reports', parseMultipart, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const files = ((req.files as unknown as Upload[] | undefined) ?? []).filter(Boolean);
    const issues: FieldIssue[] = [];
    const pos = checkPosition({ lat: body.lat, lon: body.lon }, deps.assets());
    issues.push(...pos.issues);
    const parsed = ReportFields.safeParse(body);
    if (!parsed.success) issues.push(...zodIssues(parsed.error));
    const t = now();
    const ts = parsed.success ? (parsed.data.ts ?? t) : t;
    if (parsed.success && (ts > t + MAX_SKEW_MS || ts < t - MAX_AGE_MS))
      issues.push({
        field: 'ts',
        code: 'invalid_field',
        message: 'must be within the last 7 days and not in the future',
      });
    // a phone retrying a report that is stored: answer at once, look at no photo and at nothing
    // that may have changed since it was first taken (its `ts` grown older than 7 days, the area)
    const owner = req.auth?.user.id;
    if (parsed.success && parsed.data.id) {
      const existing = await deps.repo.findByClientId(parsed.data.id);
      if (existing) {
        if (owner && (await deps.repo.ownerOf(existing.id)) !== owner)
          throw new HttpError(409, 'id_taken', 'another report uses this id: send it with a new id');
        return void res.status(200).json(await duplicateAnswer(deps, existing.id, existing.status));
      }
    }
    throwIssues(issues);
    if (!parsed.success) return;
    const f = parsed.data;

    const rejectedPhotos: RejectedPhoto[] = [];
    const good: PreparedPhoto[] = [];
    const prepared = await decodePhotos(deps, gate, req, res, files);
    files.forEach((u, i) => {
      const p = prepared[i];
      u.buffer = undefined;
      if (u.refused) rejectedPhotos.push({ name: u.originalname, ...u.refused });
      else if (p?.ok) good.push(p.photo);
      else if (p) rejectedPhotos.push({ name: u.originalname, code: p.code, message: p.message });
    });

    const record: IncidentReportRecord = {
      time: ts,
      category: f.category,
      lat: pos.lat,
      lon: pos.lon,
      description: f.description ?? null,
      severity: f.severity,
      // the account that sent it, unless the phone named someone (reporting on behalf of a citizen)
      reporter: f.reporter ?? req.auth?.user.displayName ?? null,
      photoUrl: good[0] ? photoRef(good[0].id).url : null,
      msgId: f.id ?? null,
      source: 'field',
    };
    const out = await deps.repo.createIncident(record, { photos: good, ownerUserId: owner });
    if (!out.created)
      return void res.status(200).json(await duplicateAnswer(deps, out.item.id, out.item.status));
    deps.bus.emit('incidents:changed', [out.item]);
    deps.audit?.record({
      ...actorOf(req),
      action: 'report.create',
      target: out.item.id,
      outcome: 'ok',
      details: { category: f.category, photos: out.photoIds.length, rejectedPhotos: rejectedPhotos.length },
    });
    const answer: ReportCreated = {
      id: out.item.id,
      number: incidentNumber(out.item.id),
      status: out.item.status,
      duplicate: false,
      photos: out.photoIds.map(photoRef),
      rejectedPhotos,
    };
    res.status(201).location(`/api/incidents/${out.item.id}`).json(answer);
  });

  r.get('/api/reports/status', async (req, res) => {
    const raw = typeof req.query.ids === 'string' ? req.query.ids : '';
    const ids = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = ids.filter((x) => !UUID.test(x));
    if (ids.length === 0 || ids.length > 100 || bad.length)
      throw new HttpError(
        400,
        'bad_query',
        ids.length === 0
          ? 'ids: give the report ids, comma-separated'
          : ids.length > 100
            ? 'ids: at most 100 per request'
            : `ids: not UUIDs: ${bad.slice(0, 5).join(', ')}`,
        [{ field: 'ids', message: 'comma-separated UUIDs, at most 100' }],
      );
    res.set('Cache-Control', 'no-store');
    // a field user sees only their own reports; operators see any
    const own = req.auth?.role === 'field' ? req.auth.user.id : undefined;
    res.json({
      items: await deps.repo.statusByClientIds(
        ids.map((x) => x.toLowerCase()),
        own,
      ),
    });
  });

  // "my reports" (v1.6): the caller's own reports, whatever the role (an operator reporting from the
  // field sees their own too); the phone keeps the last answer for when it is offline
  r.get('/api/reports/mine', async (req, res) => {
    const owner = req.auth?.user.id;
    if (!owner) throw new HttpError(401, 'unauthenticated', 'sign in to see your reports');
    const raw = req.query.limit;
    const limit = raw === undefined ? 100 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new HttpError(400, 'bad_query', 'limit: a whole number from 1 to 500', [
        { field: 'limit', message: 'a whole number from 1 to 500' },
      ]);
    res.set('Cache-Control', 'no-store');
    const items = await deps.repo.reportViews({ ownerUserId: owner, limit });
    const page: MyReportsPage = { items: items.map(({ ownerUserId: _, ...v }) => v) };
    res.json(page);
  });

  const servePhoto = (variant: 'full' | 'thumb') => async (req: Request, res: import('express').Response) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new HttpError(400, 'invalid_id', 'a photo id is a UUID');
    const meta = await deps.repo.photoMeta(id);
    const file = meta ? await deps.photos.open(meta.id, variant) : undefined;
    if (!meta || !file) throw new HttpError(404, 'no_photo', `no photo ${id}`);
    if (req.auth?.role === 'field' && (await deps.repo.ownerOf(meta.incidentId)) !== req.auth.user.id) {
      file.stream.destroy();
      deps.audit?.record({
        ...actorOf(req),
        action: 'http.denied',
        target: `GET ${req.path}`,
        outcome: 'denied',
        details: { status: 404, notOwner: true },
      });
      // the same answer as a photo that does not exist: a field user cannot probe others' photo ids
      throw new HttpError(404, 'no_photo', `no photo ${id}`);
    }
    res.set({
      'Content-Type': meta.contentType,
      'Content-Length': String(file.size),
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': 'inline',
      'Cache-Control': 'private, max-age=86400',
      'Content-Security-Policy': "default-src 'none'",
    });
    file.stream.on('error', (err) => res.destroy(err));
    file.stream.pipe(res);
  };
  r.get('/api/photos/:id', servePhoto('full'));
  r.get('/api/photos/:id/thumb', servePhoto('thumb'));

  return r;
}

/**
 * Decodes a report's photos within the account's megapixel budget (charged from their headers
 * first: 429 `photo_budget`) and the decode queue (503 `busy`); either way nothing is stored and
 * the phone sends the report again after Retry-After.
 */
export async function decodePhotos(
  deps: IncidentDeps,
  gate: PhotoGate,
  req: Request,
  res: Response,
  files: Upload[],
): Promise<Array<PrepareResult | undefined>> {
  const todo = files.map((u) => (u.refused || !u.buffer ? undefined : u.buffer));
  const mp = (await Promise.all(todo.map((b) => (b ? deps.photos.pixels(b) : 0)))).map((px) => px / 1e6);
  const total = mp.reduce((a, b) => a + b, 0);
  const busy = (retryAfterS: number) => {
    deps.bus.emit('photos:refused', { reason: 'busy' });
    res.set('Retry-After', String(retryAfterS));
    return new HttpError(503, 'busy', 'the server is busy with photos: send the report again shortly', {
      retryAfterS,
    });
  };
  const n = todo.filter(Boolean).length;
  if (n === 0) return todo.map(() => undefined);
  if (!gate.hasRoom(n)) throw busy(Math.ceil(gate.maxWaitMs / 1000));
  const key = req.auth?.user.id ?? `ip:${req.ip}`;
  const charged = gate.charge(key, total);
  if (!charged.ok) {
    deps.bus.emit('photos:refused', { reason: 'photo_budget' });
    deps.audit?.record({
      ...actorOf(req),
      action: 'http.rate_limited',
      target: `${req.method} ${req.path}`,
      outcome: 'denied',
      details: { code: 'photo_budget', megapixels: Math.round(total) },
    });
    res.set('Retry-After', String(charged.retryAfterS));
    throw new HttpError(
      429,
      'photo_budget',
      `more than ${gate.budgetMp} megapixels of photos a minute: send the report again in ${charged.retryAfterS} s`,
      { retryAfterS: charged.retryAfterS, budgetMp: gate.budgetMp },
    );
  }
  const decoded = todo.map(() => false);
  try {
    return await Promise.all(
      todo.map((b, i) =>
        b
          ? gate
              .run(() => deps.photos.prepare(b))
              .then((p) => {
                decoded[i] = true;
                return p;
              })
          : undefined,
      ),
    );
  } catch (err) {
    if (!(err instanceof PhotoBusyError)) throw err;
    // what was not decoded is not spent
    gate.refund(
      key,
      mp.reduce((a, m, i) => a + (decoded[i] ? 0 : m), 0),
    );
    throw busy(err.retryAfterS);
  }
}

async function duplicateAnswer(
  deps: IncidentDeps,
  id: string,
  status: ReportCreated['status'],
): Promise<ReportCreated> {
  return {
    id,
    number: incidentNumber(id),
    status,
    duplicate: true,
    photos: (await deps.repo.photoIdsOf(id)).map(photoRef),
    rejectedPhotos: [],
  };
}
