import { Router } from 'express';
import { z } from 'zod';
import type { RejectEntry, TrafficHistory } from '#contract/api.ts';
import type { CityModel } from '#contract/assets.ts';
import { token } from '#contract/text.ts';
import { REJECT_REASONS } from '#contract/vocab.ts';
import { HttpError } from './errors.ts';
import { parseQuery, QueryTime } from './query.ts';

export type Bucket = '5m' | '15m' | '1h' | '1d';

/** Read-only queries the HTTP API needs; the composition root binds them to a database. */
export interface ApiQueries {
  trafficHistory(q: { segmentId: string; from: number; to: number; bucket: Bucket }): Promise<TrafficHistory>;
  listRejects(q: { limit: number; reason?: string }): Promise<RejectEntry[]>;
  cameraEvents(q: { cameraId: string; limit: number }): Promise<
    Array<{
      ts: number;
      kind: string;
      confidence: number | null;
      count: number | null;
      snapshotUrl: string | null;
    }>
  >;
}

const BUCKET_MS: Record<Bucket, number> = {
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};
const MAX_POINTS = 5000;

export const HistoryQuery = z.object({
  segmentId: token(64),
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  bucket: z.enum(['5m', '15m', '1h', '1d']).optional(),
});
export const RejectsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  reason: z.enum(REJECT_REASONS).optional(),
});
export const EventsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/** The absolute http(s) URL `s` is, normalised; undefined for anything else. */
function httpUrl(s: string): string | undefined {
  if (!URL.canParse(s)) return undefined;
  const u = new URL(s);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
}

/** History, reject log, camera events, the city model. */
export function apiRouter(deps: {
  city: () => CityModel;
  cityGeoJson: () => unknown;
  queries: ApiQueries;
  /** a drawn frame of a camera the running simulation owns; undefined for any other */
  snapshotSvg?: (cameraId: string, now: number) => string | undefined;
  now?: () => number;
}): Router {
  const r = Router();
  const now = deps.now ?? Date.now;

  r.get('/api/city', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60');
    res.json(deps.cityGeoJson());
  });

  r.get('/api/history/traffic', async (req, res) => {
    const q = parseQuery(HistoryQuery, req.query);
    if (!deps.city().segments.some((s) => s.id === q.segmentId))
      throw new HttpError(404, 'unknown_segment', `segment ${q.segmentId} is not registered`);
    const to = q.to ?? now();
    const from = q.from ?? to - 86_400_000;
    if (from >= to) throw new HttpError(400, 'bad_query', '`from` must be before `to`');
    const span = to - from;
    const bucket: Bucket =
      q.bucket ?? (span <= 2 * 86_400_000 ? '5m' : span <= 14 * 86_400_000 ? '1h' : '1d');
    if (span / BUCKET_MS[bucket] > MAX_POINTS)
      throw new HttpError(
        400,
        'too_many_points',
        `${bucket} buckets over this range give more than ${MAX_POINTS} points; pick a larger bucket`,
      );
    res.json(await deps.queries.trafficHistory({ segmentId: q.segmentId, from, to, bucket }));
  });

  r.get('/api/ingest/rejects', async (req, res) => {
    const q = parseQuery(RejectsQuery, req.query);
    res.json({ items: await deps.queries.listRejects(q) });
  });

  r.get('/api/cameras/:id/events', async (req, res) => {
    const cameraId = String(req.params.id);
    if (!deps.city().cameras.some((c) => c.id === cameraId))
      throw new HttpError(404, 'unknown_camera', `camera ${cameraId} is not registered`);
    const q = parseQuery(EventsQuery, req.query);
    res.json({ items: await deps.queries.cameraEvents({ cameraId, limit: q.limit }) });
  });

  // a simulated camera's frame is drawn here; a real camera's is wherever its source put it: the
  // snapshotUrl of its latest event, when that is an absolute http(s) address (anything else, a relative
  // path or another scheme, is not followed)
  r.get('/api/cameras/:id/snapshot', async (req, res) => {
    const cameraId = String(req.params.id);
    const svg = deps.snapshotSvg?.(cameraId, now());
    if (svg !== undefined) {
      res.set('Content-Type', 'image/svg+xml; charset=utf-8');
      res.set('Cache-Control', 'no-store');
      // an SVG can carry script: never let it run as a document
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      return void res.send(svg);
    }
    const known = deps.city().cameras.some((c) => c.id === cameraId);
    const [latest] = known ? await deps.queries.cameraEvents({ cameraId, limit: 1 }) : [];
    const source = latest?.snapshotUrl ? httpUrl(latest.snapshotUrl) : undefined;
    if (!source) throw new HttpError(404, 'no_snapshot', `no snapshot for camera ${cameraId}`);
    res.set('Cache-Control', 'no-store');
    res.redirect(302, source);
  });

  return r;
}
