import type { Db, StoreLogger } from '../store/db.ts';

export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One thing someone did (or tried to do), as the audit log keeps it. */
export interface AuditEntry {
  id?: number;
  /** ms since epoch, UTC */
  ts: number;
  /** username, device id, or null for an anonymous caller */
  actor: string | null;
  role: string | null;
  /** dotted verb, e.g. `auth.login`, `http.denied`, `user.create`, `incident.acknowledge`, `mqtt.publish_denied` */
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  ip?: string | null;
  details?: Record<string, unknown> | null;
}

export type AuditInput = Omit<AuditEntry, 'ts' | 'id'> & { ts?: number };

export interface AuditQuery {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  limit?: number;
}

export interface AuditLog {
  /** Queues an entry; never throws (a failed write is logged). */
  record(e: AuditInput): void;
  /** Waits until every queued entry is written. */
  flush(): Promise<void>;
  list(q?: AuditQuery): Promise<AuditEntry[]>;
}

const MAX_TEXT = 200;

/**
 * Makes a value safe to put in a log: control characters (newlines, ANSI escapes) become visible
 * escapes, so a username like "bob\n2026-... admin login ok" cannot forge a line.
 */
export function neutralize(s: string, max = MAX_TEXT): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code === 10 ? '\\n' : code === 13 ? '\\r' : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function cleanDetails(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return neutralize(v, 500);
  if (v === null || typeof v !== 'object' || depth > 3) return v;
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => cleanDetails(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v).slice(0, 50)) out[neutralize(k, 60)] = cleanDetails(x, depth + 1);
  return out;
}

/** The audit log in the database (table `audit_log`, sql/008). Writes are queued and batched. */
export function dbAuditLog(db: Db, log: StoreLogger, mirror?: (e: AuditEntry) => void): AuditLog {
  let queue: AuditEntry[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;

  const write = async () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (!batch.length) return;
    try {
      const cols = 8;
      const params: unknown[] = [];
      const values = batch.map((e, i) => {
        params.push(
          new Date(e.ts).toISOString(),
          e.actor,
          e.role,
          e.action,
          e.target ?? null,
          e.outcome,
          e.ip ?? null,
          e.details ? JSON.stringify(e.details) : null,
        );
        const b = i * cols;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}::jsonb)`;
      });
      await db.query(
        `INSERT INTO audit_log (ts, actor, actor_role, action, target, outcome, ip, details) VALUES ${values.join(', ')}`,
        params,
      );
    } catch (err) {
      log.error({ err, entries: batch.length }, 'writing the audit log failed');
    }
  };

  return {
    record(input) {
      const e: AuditEntry = {
        ts: input.ts ?? Date.now(),
        actor: input.actor == null ? null : neutralize(input.actor),
        role: input.role ?? null,
        action: neutralize(input.action, 60),
        target: input.target == null ? null : neutralize(input.target),
        outcome: input.outcome,
        ip: input.ip == null ? null : neutralize(input.ip, 64),
        details: input.details ? (cleanDetails(input.details) as Record<string, unknown>) : null,
      };
      mirror?.(e);
      queue.push(e);
      if (!scheduled) {
        scheduled = true;
        writing = writing.then(() => new Promise<void>((r) => setImmediate(() => write().then(r))));
      }
    },
    async flush() {
      await writing;
      if (queue.length) {
        scheduled = true;
        writing = writing.then(write);
        await writing;
      }
    },
    async list(q = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (q.from !== undefined) add('ts >= ?', new Date(q.from).toISOString());
      if (q.to !== undefined) add('ts < ?', new Date(q.to).toISOString());
      if (q.actor) add('actor = ?', q.actor);
      if (q.action) add('action LIKE ?', `${q.action.replace(/[%_\\]/g, '\\$&')}%`);
      if (q.outcome) add('outcome = ?', q.outcome);
      params.push(Math.min(Math.max(q.limit ?? 500, 1), 10_000));
      const { rows } = await db.query<{
        id: string | number;
        ts: Date | string;
        actor: string | null;
        actor_role: string | null;
        action: string;
        target: string | null;
        outcome: AuditOutcome;
        ip: string | null;
        details: Record<string, unknown> | string | null;
      }>(
        `SELECT id, ts, actor, actor_role, action, target, outcome, ip, details FROM audit_log
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map((r) => ({
        id: Number(r.id),
        ts: new Date(r.ts).getTime(),
        actor: r.actor,
        role: r.actor_role,
        action: r.action,
        target: r.target,
        outcome: r.outcome,
        ip: r.ip,
        details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
      }));
    },
  };
}
