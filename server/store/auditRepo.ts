import type { AuditEntry, AuditOutcome, AuditQuery } from '../domain/audit.ts';
import type { Db } from './db.ts';

/** Appends entries to the audit log (table `audit_log`, sql/008) in one statement. */
export async function insertAuditEntries(db: Db, batch: readonly AuditEntry[]): Promise<void> {
  if (!batch.length) return;
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
}

/** Entries matching `q`, newest first; `q.action` matches as a prefix, at most `q.limit` (500, up to 10 000). */
export async function listAuditEntries(db: Db, q: AuditQuery = {}): Promise<AuditEntry[]> {
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
}
