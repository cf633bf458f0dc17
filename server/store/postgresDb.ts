import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { chunks, copyStatement, encodeCsv } from './copyCsv.ts';
import { consoleLogger, type Db, type StoreLogger } from './db.ts';

const COPY_CHUNK_ROWS = 5_000;

// int8 as a JS number, as PGlite returns it: counts and identity ids stay far below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

type Queryable = pg.Pool | pg.PoolClient;

/**
 * A client checked out of the pool. A checked-out client that loses its connection (server restart,
 * network) emits 'error' on itself, not on the pool, and an 'error' with no listener ends the process:
 * this listens for as long as it is checked out, and `release` hands a broken one back with the
 * error so the pool destroys it instead of lending it again. The call that was using it rejects.
 */
async function checkout(pool: pg.Pool, log: StoreLogger) {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    if (!broken) log.warn({ err }, 'postgres connection lost during a call');
    broken ??= err;
  };
  client.on('error', onError);
  return {
    client,
    /** the connection error seen while checked out, if any */
    broken: () => broken,
    release(err?: Error) {
      client.removeListener('error', onError);
      client.release(broken ?? err);
    },
  };
}

function handle(q: Queryable, copyClient: () => Promise<{ client: pg.PoolClient; done(err?: Error): void }>) {
  return {
    async query<T = Record<string, unknown>>(sql: string, params?: unknown[]) {
      const r = await q.query(sql, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
    async copyRows(table: string, columns: string[], rows: unknown[][]) {
      const sql = copyStatement(table, columns, 'STDIN');
      const { client, done } = await copyClient();
      let failed: Error | undefined;
      try {
        const csv = (function* () {
          for (const part of chunks(rows, COPY_CHUNK_ROWS)) yield encodeCsv(part);
        })();
        // pipeline rejects on an error of either stream (a lost connection errors the COPY stream)
        await pipeline(Readable.from(csv), client.query(copyFrom(sql)));
      } catch (e) {
        failed = e as Error;
        throw e;
      } finally {
        done(failed);
      }
    },
  };
}

/**
 * Connects to PostgreSQL / TimescaleDB at `url` with a pool; installs the timescaledb extension when
 * the server has it and falls back to plain PostgreSQL (`timescale: false`) when not.
 */
export async function openPostgres(
  url: string,
  opts: { max?: number; logger?: StoreLogger; applicationName?: string } = {},
): Promise<Db> {
  const log = opts.logger ?? consoleLogger;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'ioc',
    types,
  });
  // An idle client's connection dropping (server restart, network) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', (err) => log.error({ err }, 'postgres idle client error'));

  let timescale = false;
  try {
    try {
      await pool.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    } catch (err) {
      // Not installed on the server, or not allowed: run on plain tables and views.
      if (!(err instanceof pg.DatabaseError)) throw err; // not reachable at all
    }
    const r = await pool.query<{ ok: boolean }>(
      "SELECT exists(SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS ok",
    );
    timescale = r.rows[0]?.ok === true;
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  const pooled = handle(pool, async () => {
    const c = await checkout(pool, log);
    // a COPY that failed half-way may leave the connection mid-protocol: it is not lent again
    return { client: c.client, done: (err) => c.release(err) };
  });
  return {
    kind: 'postgres',
    timescale,
    ...pooled,
    // the server serves many connections at once: maintenance holds one of the pool's, ingest the others
    maintenance: { kind: 'postgres', timescale, ...pooled },
    async transaction<T>(fn: (tx: Omit<Db, 'transaction' | 'close'>) => Promise<T>): Promise<T> {
      const c = await checkout(pool, log);
      const { client } = c;
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const tx = {
          kind: 'postgres' as const,
          timescale,
          ...handle(client, async () => ({ client, done: () => {} })),
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch((err: Error) => {
          broken = err; // a connection that cannot roll back is not given back to the pool
        });
        throw e;
      } finally {
        c.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
