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
}

/** The slice of a pino logger the store uses; `console` is not one, see `consoleLogger`. */
export interface StoreLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A fallback logger for when the caller passes none. */
export const consoleLogger: StoreLogger = {
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};
