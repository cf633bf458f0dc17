/** The one database interface the repositories use; PGlite and `pg` each implement it. */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** true when the TimescaleDB extension is installed (hypertables, continuous aggregates) */
  readonly timescale: boolean;
  /** One statement, with $1.. parameters. */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: T[]; rowCount: number }>;
  /** Several statements, no parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Bulk load with COPY ... FROM STDIN (CSV) into `table`; rows are arrays in `columns` order,
   * null for NULL. The fastest path on both drivers.
   */
  copyRows(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK on throw). */
  transaction<T>(fn: (tx: Omit<Db, 'transaction' | 'close'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * The same calls for heavy maintenance (aggregate refreshes, compression, retention), run in small
   * steps by their callers. On the embedded database, whose one connection ingest shares, each call
   * waits until no other call is waiting, so a write or a health check waits for one step at most;
   * on PostgreSQL it is the same pool. Absent (a transaction's handle): use the Db itself.
   */
  readonly maintenance?: Omit<Db, 'transaction' | 'close' | 'maintenance'>;
}

/** The handle heavy maintenance runs through: `db.maintenance`, or `db` where it has none. */
export function maintenanceOf(
  db: Omit<Db, 'transaction' | 'close'>,
): Omit<Db, 'transaction' | 'close' | 'maintenance'> {
  return db.maintenance ?? db;
}

/** The slice of a pino logger the store uses; `console` is not one, see `consoleLogger`. */
export interface StoreLogger {
  info?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A fallback logger for when the caller passes none. */
export const consoleLogger: StoreLogger = {
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};
