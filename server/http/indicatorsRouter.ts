import express, { type Request, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import {
  BreakdownCode,
  CreateIndicatorSchema,
  CreateSourceSchema,
  INDICATOR_ID,
  IngestBatchSchema,
  PutAgencySchema,
  PutLabelSchema,
  UpdateIndicatorSchema,
  UpdateSourceSchema,
} from '#contract/indicators.ts';
import {
  type AgencyView,
  API_KEY_HEADER,
  type BreakdownLabel,
  CSV_COLUMNS,
  type IndicatorDef,
  type IndicatorsAnswer,
  type IngestAnswer,
  type IngestRowResult,
  LABELLED_DIMENSIONS,
  MAX_CSV_BYTES,
  MAX_INGEST_BATCH,
} from '#contract/indicatorVocab.ts';
import { topics } from '#contract/mqtt.ts';
import { isSiemAlert } from '#contract/security.ts';
import { SOC_DETECTED } from '#contract/securityVocab.ts';
import { actorOf, bearer } from '../auth/guard.ts';
import { type IndicatorSources, SourceError } from '../auth/indicatorSources.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { IndicatorCatalogue } from '../domain/indicatorCatalogue.ts';
import type { IngestOrigin, IngestOutcome } from '../ingest/ingestPipeline.ts';
import { TokenBucket } from '../live/tokenBucket.ts';
import type { SeriesBreakdown, SeriesPoint } from '../store/indicatorsRepo.ts';
import { SERIES_BREAKDOWNS } from '../store/indicatorsRepo.ts';
import { parseCsv } from './csv.ts';
import { HttpError } from './errors.ts';
import { parseBody, parseQuery, QueryTime, queryToken } from './query.ts';

/** What the indicator routes need; the composition root binds it to the database, ingest and the module. */
export interface IndicatorsDeps {
  /** the ingest pipeline every channel goes through */
  ingest: {
    submit(topic: string, payload: string | object, origin: IngestOrigin): Promise<IngestOutcome>;
    refuse(
      topic: string,
      reason: IngestOutcome['reason'] & string,
      detail: string,
      payload: string,
      label: string,
    ): IngestOutcome;
  };
  sources: IndicatorSources;
  /** the catalogue ingest checks against now */
  catalogue: () => IndicatorCatalogue;
  store: {
    list(): Promise<IndicatorDef[]>;
    get(id: string): Promise<IndicatorDef | undefined>;
    create(d: Omit<IndicatorDef, 'disabled' | 'updatedAt'>): Promise<IndicatorDef>;
    update(id: string, ch: z.output<typeof UpdateIndicatorSchema>): Promise<IndicatorDef | undefined>;
    agencies(): Promise<AgencyView[]>;
    putAgency(a: AgencyView): Promise<{ agency: AgencyView; created: boolean }>;
    /** the names of topic and source codes */
    labels(): Promise<BreakdownLabel[]>;
    putLabel(x: BreakdownLabel): Promise<{ label: BreakdownLabel; created: boolean }>;
    series(q: {
      indicatorId: string;
      from: number;
      to: number;
      bucket: '1h' | '1d';
      by?: SeriesBreakdown;
      ward?: string;
      agency?: string;
    }): Promise<SeriesPoint[]>;
  };
  /** reads the catalogue again after an admin changed it (this instance at once, the others within 30 s) */
  reload(): Promise<void>;
  /** folds values stored at these times into the aggregates now (a CSV import answers once they show) */
  refreshFor(times: number[]): Promise<void>;
  audit: AuditLog;
  now?: () => number;
}

const KEY_FAILURES_PER_MIN = 30;
const SUBMIT_CHUNK = 2000;
const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export const SeriesQuery = z.object({
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  bucket: z.enum(['1h', '1d']).optional(),
  by: z.enum(SERIES_BREAKDOWNS).optional(),
  ward: queryToken(64).optional(),
  agency: queryToken(64).optional(),
});

function tally(rows: IngestRowResult[]): IngestAnswer {
  const a: IngestAnswer = { stored: 0, revised: 0, duplicate: 0, rejected: 0, rows };
  for (const r of rows) a[r.status]++;
  return a;
}

const rowResult = (row: number, o: IngestOutcome): IngestRowResult =>
  o.status === 'rejected'
    ? { row, status: o.status, reason: o.reason, detail: o.detail }
    : { row, status: o.status };

/**
 * The indicator feed over HTTP (contract v1.4): `POST /api/ingest/{source}` for systems with an API key,
 * the CSV import and the catalogue, agencies and sources for admins, and the catalogue and figures for the
 * console and dashboard. Every value goes through the ingest pipeline (validation, reject log, metrics).
 */
export function indicatorsRouter(deps: IndicatorsDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;

  // ---------------------------------------------------------------------------------------------
  // HTTP ingest, for systems that do not speak MQTT

  const keyFailures = new Map<string, TokenBucket>();
  const perSource = new Map<string, { bucket: TokenBucket; rate: number }>();
  const limited = new Map<string, number>();

  /** A JSON body up to 1,000 values (the app's 256 KiB limit would refuse a full batch). */
  r.post('/api/ingest/:source', express.json({ limit: '2mb' }), async (req, res) => {
    const id = String(req.params.source);
    const ip = req.ip ?? '';
    const key = (req.get(API_KEY_HEADER) ?? bearer(req.headers.authorization)) || undefined;
    const v = INDICATOR_ID.test(id)
      ? await deps.sources.verify(id, key)
      : { ok: false as const, why: 'unknown_source' as const };
    if (!v.ok) {
      // wrong keys: 30 a minute per address are answered (and audited), the rest 429
      let fails = keyFailures.get(ip);
      if (!fails) {
        if (keyFailures.size > 10_000) keyFailures.clear();
        fails = new TokenBucket(KEY_FAILURES_PER_MIN, KEY_FAILURES_PER_MIN / 60, now());
        keyFailures.set(ip, fails);
      }
      if (!fails.take(now())) {
        res.set('Retry-After', '60');
        throw new HttpError(429, 'rate_limited', 'too many requests with a wrong API key: wait a minute', {
          retryAfterS: 60,
        });
      }
      deps.audit.record({
        actor: null,
        role: null,
        action: 'indicator.ingest',
        target: `source ${id}`,
        outcome: 'denied',
        ip,
        details: { reason: v.why },
      });
      throw new HttpError(
        401,
        'bad_api_key',
        `no source ${id} with this API key (send it in the ${API_KEY_HEADER} header), or its key was revoked`,
      );
    }
    const source = v.source;
    let lim = perSource.get(id);
    if (!lim || lim.rate !== source.ratePerMin) {
      lim = {
        bucket: new TokenBucket(Math.max(10, source.ratePerMin / 6), source.ratePerMin / 60, now()),
        rate: source.ratePerMin,
      };
      perSource.set(id, lim);
    }
    if (!lim.bucket.take(now())) {
      // audited at most once a minute per source
      if (now() - (limited.get(id) ?? 0) > 60_000) {
        limited.set(id, now());
        deps.audit.record({
          actor: id,
          role: null,
          action: 'indicator.rate_limited',
          target: `POST ${req.path}`,
          outcome: 'denied',
          ip,
          details: { ratePerMin: source.ratePerMin },
        });
      }
      res.set('Retry-After', '10');
      throw new HttpError(
        429,
        'rate_limited',
        `source ${id} may make ${source.ratePerMin} requests a minute: wait a little`,
        { retryAfterS: 10 },
      );
    }
    const allowed = new Set(source.indicators);
    // a SIEM's alert (Wazuh's integration JSON), one or an array of them, instead of `{values}`
    if (isSiemAlert(req.body) || Array.isArray(req.body)) {
      const alerts: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
      if (alerts.length === 0 || alerts.length > MAX_INGEST_BATCH)
        throw new HttpError(400, 'invalid_field', `1 to ${MAX_INGEST_BATCH} alerts a request`, [
          { field: 'body', message: `1 to ${MAX_INGEST_BATCH} alerts` },
        ]);
      const topic = topics.securityEvent();
      const rows = await Promise.all(
        alerts.map(async (alert, i) => {
          const label = `HTTP source ${id}, alert ${i}`;
          if (!allowed.has(SOC_DETECTED))
            return rowResult(
              i,
              deps.ingest.refuse(
                topic,
                'not_permitted',
                `source ${id} may not send SIEM events (it needs ${SOC_DETECTED})`,
                JSON.stringify(alert) ?? '',
                label,
              ),
            );
          return rowResult(
            i,
            await deps.ingest.submit(topic, alert as object, { via: 'http', sender: id, label }),
          );
        }),
      );
      const answer = tally(rows);
      deps.audit.record({
        actor: id,
        role: null,
        action: 'security.ingest',
        target: `source ${id}`,
        outcome: 'ok',
        ip,
        details: { stored: answer.stored, duplicate: answer.duplicate, rejected: answer.rejected },
      });
      res.json(answer);
      return;
    }
    const body = parseBody(IngestBatchSchema, req.body);
    const rows = await Promise.all(
      body.values.map(async (value, i) => {
        const label = `HTTP source ${id}, row ${i}`;
        const row = value as { indicator?: unknown } | null;
        const indicator = typeof row === 'object' && row !== null ? row.indicator : undefined;
        const text = () => JSON.stringify(value) ?? '';
        if (typeof row !== 'object' || row === null || Array.isArray(row))
          return rowResult(
            i,
            deps.ingest.refuse(`http/${id}`, 'not_object', 'a value must be a JSON object', text(), label),
          );
        if (typeof indicator !== 'string')
          return rowResult(
            i,
            deps.ingest.refuse(`http/${id}`, 'invalid_payload', 'indicator: required', text(), label),
          );
        if (!INDICATOR_ID.test(indicator))
          return rowResult(
            i,
            deps.ingest.refuse(
              `http/${id}`,
              'unknown_indicator',
              `indicator ${indicator} is not in the catalogue`,
              text(),
              label,
            ),
          );
        if (!allowed.has(indicator))
          return rowResult(
            i,
            deps.ingest.refuse(
              topics.kpi(indicator),
              'not_permitted',
              `source ${id} may not send ${indicator}`,
              text(),
              label,
            ),
          );
        return rowResult(
          i,
          await deps.ingest.submit(topics.kpi(indicator), row, { via: 'http', sender: id, label }),
        );
      }),
    );
    const answer = tally(rows);
    deps.audit.record({
      actor: id,
      role: null,
      action: 'indicator.ingest',
      target: `source ${id}`,
      outcome: 'ok',
      ip,
      details: {
        stored: answer.stored,
        revised: answer.revised,
        duplicate: answer.duplicate,
        rejected: answer.rejected,
      },
    });
    res.json(answer);
  });

  // ---------------------------------------------------------------------------------------------
  // The catalogue and figures, for the console and the dashboard

  r.get('/api/indicators', async (_req, res) => {
    const [items, agencies, labels] = await Promise.all([
      deps.store.list(),
      deps.store.agencies(),
      deps.store.labels(),
    ]);
    const answer: IndicatorsAnswer = {
      items: items.filter((d) => !d.disabled),
      agencies: agencies.filter((a) => !a.disabled),
      labels,
    };
    res.json(answer);
  });

  r.get('/api/indicators/:id/series', async (req, res) => {
    const indicator = await deps.store.get(String(req.params.id));
    if (!indicator) throw new HttpError(404, 'unknown_indicator', `no indicator ${req.params.id}`);
    const q = parseQuery(SeriesQuery, req.query);
    const to = q.to ?? now();
    const from = q.from ?? to - 7 * 86_400_000;
    if (from >= to) throw new HttpError(400, 'bad_query', '`from` must be before `to`');
    const bucket = q.bucket ?? (to - from <= 2 * 86_400_000 ? '1h' : '1d');
    if (bucket === '1h' && to - from > 31 * 86_400_000)
      throw new HttpError(400, 'too_many_points', 'hourly buckets over more than 31 days: use bucket=1d');
    if (to - from > 3700 * 86_400_000) throw new HttpError(400, 'bad_query', 'at most ten years');
    const points = await deps.store.series({
      indicatorId: indicator.id,
      from,
      to,
      bucket,
      by: q.by,
      ward: q.ward || undefined,
      agency: q.agency || undefined,
    });
    res.json({ indicator, from, to, bucket, ...(q.by ? { by: q.by } : {}), points });
  });

  // ---------------------------------------------------------------------------------------------
  // Admin: the catalogue, agencies, sources and their keys, the CSV import

  r.get('/api/admin/indicators', async (_req, res) => {
    const [items, agencies, labels] = await Promise.all([
      deps.store.list(),
      deps.store.agencies(),
      deps.store.labels(),
    ]);
    const answer: IndicatorsAnswer = { items, agencies, labels };
    res.json(answer);
  });

  r.post('/api/admin/indicators', async (req, res) => {
    const b = parseBody(CreateIndicatorSchema, req.body);
    if (b.min !== null && b.max !== null && b.min > b.max)
      throw new HttpError(400, 'invalid_field', 'min: at most max', [
        { field: 'min', message: 'at most max' },
      ]);
    const item = await deps.store
      .create({ ...b, dimensions: [...new Set(b.dimensions)] })
      .catch((err: { code?: string }) => {
        if (err.code === '23505') throw new HttpError(409, 'indicator_exists', `indicator ${b.id} exists`);
        throw err;
      });
    await deps.reload();
    deps.audit.record({
      ...actorOf(req),
      action: 'indicator.create',
      target: b.id,
      outcome: 'ok',
      details: { ...b },
    });
    res.status(201).json({ item });
  });

  r.patch('/api/admin/indicators/:id', async (req, res) => {
    const id = String(req.params.id);
    const b = parseBody(UpdateIndicatorSchema, req.body);
    const before = await deps.store.get(id);
    if (!before) throw new HttpError(404, 'unknown_indicator', `no indicator ${id}`);
    const min = b.min !== undefined ? b.min : before.min;
    const max = b.max !== undefined ? b.max : before.max;
    if (min !== null && max !== null && min > max)
      throw new HttpError(400, 'invalid_field', 'min: at most max', [
        { field: 'min', message: 'at most max' },
      ]);
    const item = await deps.store.update(id, b);
    await deps.reload();
    deps.audit.record({
      ...actorOf(req),
      action: 'indicator.update',
      target: id,
      outcome: 'ok',
      details: { ...b },
    });
    res.json({ item });
  });

  r.put('/api/admin/agencies/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!INDICATOR_ID.test(id))
      throw new HttpError(400, 'invalid_field', 'id: lower-case letters, digits, - and _', [
        { field: 'id', message: 'lower-case letters, digits, - and _, at most 63' },
      ]);
    const b = parseBody(PutAgencySchema, req.body);
    const out = await deps.store.putAgency({ id, ...b });
    await deps.reload();
    deps.audit.record({
      ...actorOf(req),
      action: out.created ? 'agency.create' : 'agency.update',
      target: id,
      outcome: 'ok',
      details: { ...b },
    });
    res.status(out.created ? 201 : 200).json({ item: out.agency });
  });

  r.put('/api/admin/indicator-labels/:dimension/:code', async (req, res) => {
    const dimension = String(req.params.dimension);
    if (!(LABELLED_DIMENSIONS as readonly string[]).includes(dimension))
      throw new HttpError(400, 'invalid_field', `dimension: one of ${LABELLED_DIMENSIONS.join(', ')}`, [
        { field: 'dimension', message: `one of ${LABELLED_DIMENSIONS.join(', ')}` },
      ]);
    const code = String(req.params.code);
    if (!BreakdownCode.safeParse(code).success)
      throw new HttpError(400, 'invalid_field', 'code: 1 to 64 characters, no control characters', [
        { field: 'code', message: '1 to 64 characters, no control characters' },
      ]);
    const b = parseBody(PutLabelSchema, req.body);
    const out = await deps.store.putLabel({
      dimension: dimension as BreakdownLabel['dimension'],
      code,
      ...b,
    });
    deps.audit.record({
      ...actorOf(req),
      action: out.created ? 'indicator_label.create' : 'indicator_label.update',
      target: `${dimension}/${code}`,
      outcome: 'ok',
      details: { ...b },
    });
    res.status(out.created ? 201 : 200).json({ item: out.label });
  });

  const sourceError = (err: unknown): never => {
    if (err instanceof SourceError)
      throw new HttpError(err.code === 'no_source' ? 404 : 409, err.code, err.message);
    throw err;
  };
  const unknownIndicators = async (ids: string[]) => {
    const known = new Set((await deps.store.list()).map((d) => d.id));
    const bad = ids.filter((i) => !known.has(i));
    if (bad.length)
      throw new HttpError(
        400,
        'invalid_field',
        `indicators: no such indicators: ${bad.slice(0, 10).join(', ')}`,
        [{ field: 'indicators', message: `no such indicators: ${bad.slice(0, 10).join(', ')}` }],
      );
  };

  r.get('/api/admin/indicator-sources', async (_req, res) => {
    res.json({ items: await deps.sources.list() });
  });

  r.post('/api/admin/indicator-sources', async (req, res) => {
    const b = parseBody(CreateSourceSchema, req.body);
    await unknownIndicators(b.indicators);
    const out = await deps.sources
      .create({ ...b, indicators: [...new Set(b.indicators)] })
      .catch(sourceError);
    deps.audit.record({
      ...actorOf(req),
      action: 'indicator_source.create',
      target: b.id,
      outcome: 'ok',
      details: { indicators: b.indicators, ratePerMin: b.ratePerMin },
    });
    res.status(201).json(out);
  });

  r.patch('/api/admin/indicator-sources/:id', async (req, res) => {
    const id = String(req.params.id);
    const b = parseBody(UpdateSourceSchema, req.body);
    if (b.indicators) await unknownIndicators(b.indicators);
    const source = await deps.sources
      .update(id, { ...b, ...(b.indicators ? { indicators: [...new Set(b.indicators)] } : {}) })
      .catch(sourceError);
    deps.audit.record({
      ...actorOf(req),
      action: 'indicator_source.update',
      target: id,
      outcome: 'ok',
      details: { ...b },
    });
    res.json({ source });
  });

  r.post('/api/admin/indicator-sources/:id/key', async (req, res) => {
    const id = String(req.params.id);
    const out = await deps.sources.newKey(id).catch(sourceError);
    deps.audit.record({ ...actorOf(req), action: 'indicator_source.new_key', target: id, outcome: 'ok' });
    res.json(out);
  });

  r.delete('/api/admin/indicator-sources/:id/key', async (req, res) => {
    const id = String(req.params.id);
    await deps.sources.revoke(id).catch(sourceError);
    deps.audit.record({ ...actorOf(req), action: 'indicator_source.revoke', target: id, outcome: 'ok' });
    res.status(204).end();
  });

  // The CSV import: a file upload (multipart, field `file`) or the file itself as the body (text/csv).
  const tooLarge = () =>
    new HttpError(
      413,
      'csv_too_large',
      `the CSV file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB: split it`,
      {
        maxBytes: MAX_CSV_BYTES,
      },
    );
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 5 },
  });
  r.post(
    '/api/admin/indicators/import',
    (req, _res, next) => {
      // refused before it is read when its size is told
      if (Number(req.get('content-length') ?? 0) > MAX_CSV_BYTES + 64 * 1024) return next(tooLarge());
      next();
    },
    (req, res, next) => {
      const parse = req.is('multipart/form-data')
        ? upload.single('file')
        : express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: MAX_CSV_BYTES });
      parse(req, res, (err?: unknown) => {
        if (!err) return next();
        const e = err as { type?: string; code?: string; message?: string };
        if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE') return next(tooLarge());
        next(new HttpError(400, 'bad_csv', `the upload could not be read: ${e.message ?? err}`));
      });
    },
    async (req, res) => {
      const file = (req as Request & { file?: Express.Multer.File }).file;
      const name = (file?.originalname ?? 'upload.csv').slice(0, 200);
      const raw = file ? file.buffer : typeof req.body === 'string' ? req.body : undefined;
      if (raw === undefined || raw.length === 0)
        throw new HttpError(400, 'bad_csv', 'send a CSV file (form field `file`, or the body as text/csv)');
      if (raw.length > MAX_CSV_BYTES) throw tooLarge();
      const text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: false }).decode(raw);
      const answer = await importCsv(deps, text, name, actorOf(req).actor ?? 'admin');
      deps.audit.record({
        ...actorOf(req),
        action: 'indicator.import',
        target: name,
        outcome: 'ok',
        details: {
          stored: answer.stored,
          revised: answer.revised,
          duplicate: answer.duplicate,
          rejected: answer.rejected,
        },
      });
      res.json(answer);
    },
  );

  return r;
}

/** Reads a CSV of values and puts every row through ingest; a bad row says its line and why, the rest land. */
async function importCsv(
  deps: IndicatorsDeps,
  text: string,
  file: string,
  admin: string,
): Promise<IngestAnswer> {
  const parsed = parseCsv(text);
  if ('error' in parsed) throw new HttpError(400, 'bad_csv', parsed.error);
  const [head, ...records] = parsed.records;
  if (!head) throw new HttpError(400, 'bad_csv', 'the file is empty: a header line, then one line per value');
  const header = head.cells.map((c) => c.trim().toLowerCase());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  const missing = ['indicator', 'period', 'value'].filter((c) => !header.includes(c));
  const twice = header.filter((h, i) => header.indexOf(h) !== i);
  if (unknown.length || missing.length || twice.length)
    throw new HttpError(
      400,
      'bad_csv',
      [
        unknown.length ? `unknown columns: ${unknown.join(', ')}` : '',
        missing.length ? `missing columns: ${missing.join(', ')}` : '',
        twice.length ? `columns given twice: ${twice.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      { columns: CSV_COLUMNS, unknown, missing, twice },
    );
  const catalogue = deps.catalogue();
  const results: IngestRowResult[] = [];
  const times: number[] = [];
  for (let i = 0; i < records.length; i += SUBMIT_CHUNK) {
    const chunk = records.slice(i, i + SUBMIT_CHUNK);
    const got = await Promise.all(
      chunk.map(async ({ line, cells }) => {
        const label = `CSV ${file}, line ${line}`;
        const raw = cells.join(',');
        const refuse = (topic: string, reason: IngestOutcome['reason'] & string, detail: string) =>
          rowResult(line, deps.ingest.refuse(topic, reason, detail, raw, label));
        if (cells.length !== header.length)
          return refuse('csv', 'invalid_payload', `expected ${header.length} cells, got ${cells.length}`);
        const row: Record<string, string | number> = {};
        for (let c = 0; c < header.length; c++) {
          const v = (cells[c] ?? '').trim();
          const col = header[c] as string;
          if (FORMULA.test(cells[c] ?? '') && !NUMBER.test(v))
            return refuse(
              'csv',
              'formula_cell',
              `${col}: a cell starting with = + - @ that is not a number is refused (a formula)`,
            );
          if (v === '') continue;
          row[col] = col === 'value' && NUMBER.test(v) ? Number(v) : v;
        }
        const indicator = row.indicator;
        delete row.indicator;
        if (typeof indicator !== 'string') return refuse('csv', 'invalid_payload', 'indicator: required');
        if (!INDICATOR_ID.test(indicator))
          return refuse('csv', 'unknown_indicator', `indicator ${indicator} is not in the catalogue`);
        const topic = topics.kpi(indicator);
        // an event's (or an hourly figure's) `period` is its time
        const def = catalogue.indicators.get(indicator);
        if (def?.period === 'event' && row.period !== undefined) {
          row.ts = row.period;
          delete row.period;
        }
        const o = await deps.ingest.submit(topic, JSON.stringify(row), { via: 'csv', sender: admin, label });
        // a plan is no value of the aggregates
        if (o.time !== undefined && o.status !== 'duplicate' && row.kind !== 'plan') times.push(o.time);
        return rowResult(line, o);
      }),
    );
    results.push(...got);
  }
  // the figures show on the dashboard when the answer comes (a past month is below the aggregates' watermark)
  if (times.length) await deps.refreshFor(times);
  return tally(results);
}
