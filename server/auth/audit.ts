import type { AuditEntry, AuditLog } from '../domain/audit.ts';
import { insertAuditEntries, listAuditEntries } from '../store/auditRepo.ts';
import type { Db, StoreLogger } from '../store/db.ts';

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
      await insertAuditEntries(db, batch);
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
    list: (q = {}) => listAuditEntries(db, q),
  };
}
