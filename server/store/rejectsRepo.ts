import type { RejectEntry } from '#contract/api.ts';
import type { RejectRecord } from '../domain/records.ts';
import type { Db } from './db.ts';

// Ingest truncates payloads already; this bounds what a caller that forgot can store.
const MAX_TEXT = 8192;
const DAY = 86_400_000;
const PRUNE_EVERY_MS = 60_000;
const lastPrune = new WeakMap<Db, number>();

/** Text Postgres accepts: NUL bytes (possible in a garbage payload) would fail the whole COPY. */
function storable(s: string): string {
  const t = s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
  return t.includes('\u0000') ? t.replaceAll('\u0000', '\uFFFD') : t;
}

/** Appends rejected messages to the reject log; prunes the log at most once a minute. */
export async function insertRejects(
  db: Db,
  rejects: readonly RejectRecord[],
  now = Date.now(),
): Promise<void> {
  if (rejects.length > 0) {
    await db.copyRows(
      'ingest_rejects',
      ['time', 'topic', 'reason', 'detail', 'payload'],
      rejects.map((r) => [
        new Date(r.time),
        storable(r.topic),
        r.reason,
        storable(r.detail),
        storable(r.payload),
      ]),
    );
  }
  if (now - (lastPrune.get(db) ?? 0) >= PRUNE_EVERY_MS) {
    lastPrune.set(db, now);
    await pruneRejects(db, { now });
  }
}

/** Deletes rejects older than `maxAgeMs` (7 days) and all but the newest `maxRows` (100k); returns how many. */
export async function pruneRejects(
  db: Db,
  opts: { maxAgeMs?: number; maxRows?: number; now?: number } = {},
): Promise<number> {
  const cutoff = (opts.now ?? Date.now()) - (opts.maxAgeMs ?? 7 * DAY);
  const old = await db.query('DELETE FROM ingest_rejects WHERE time < to_timestamp($1::float8 / 1000)', [
    cutoff,
  ]);
  // id follows insertion order, so the row cap is one index probe and a range delete.
  const over = await db.query(
    `DELETE FROM ingest_rejects
     WHERE id <= (SELECT id FROM ingest_rejects ORDER BY id DESC OFFSET $1 LIMIT 1)`,
    [opts.maxRows ?? 100_000],
  );
  return old.rowCount + over.rowCount;
}

/** The newest rejects first, optionally of one reason. */
export async function listRejects(db: Db, opts: { limit: number; reason?: string }): Promise<RejectEntry[]> {
  const limit = Math.max(0, Math.min(Math.trunc(opts.limit), 10_000));
  const r = await db.query<RejectEntry>(
    `SELECT (extract(epoch FROM time) * 1000)::float8 AS time, topic, reason, detail, payload
     FROM ingest_rejects
     WHERE $2::text IS NULL OR reason = $2
     ORDER BY time DESC, id DESC
     LIMIT $1`,
    [limit, opts.reason ?? null],
  );
  return r.rows;
}
