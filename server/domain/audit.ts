// What the audit log is, as types: written by auth, http, live and the broker, stored by
// server/store/auditRepo.ts, queued and cleaned by server/auth/audit.ts. Here so that each of them
// can name it without importing the others.

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
