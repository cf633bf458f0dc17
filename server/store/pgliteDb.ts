import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { chunks, copyStatement, encodeCsv } from './copyCsv.ts';
import { lockDataDir } from './dataDirLock.ts';
import type { Db } from './db.ts';

type Op = 'query' | 'exec' | 'copy' | 'close';
interface Reply {
  id: number;
  ok: boolean;
  rows?: unknown[];
  rowCount?: number;
  error?: { message: string; code?: string; [k: string]: unknown };
}
interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
  callSite: Error;
}

// PGlite reads a whole COPY blob into WASM memory: bound what one statement carries.
const COPY_CHUNK_ROWS = 20_000;

/**
 * The one connection's lock, with two lanes. A transaction holds it from BEGIN to COMMIT so no other
 * call interleaves. Normal calls are served first come, first served; a maintenance call (aggregate
 * refreshes, compression) is granted only when no normal call is waiting, so ingest, health checks and
 * HTTP queries wait at most for the one maintenance step already running, never for a queue of them.
 * Unless it has waited `maxMaintenanceWaitMs`: then it goes first, so that ingest writing back to back
 * cannot starve maintenance for ever (the aggregates would go stale, chunks never be compressed).
 */
export function createPriorityLock(opts: { maxMaintenanceWaitMs?: number; now?: () => number } = {}) {
  const maxWait = opts.maxMaintenanceWaitMs ?? 2_000;
  const now = opts.now ?? performance.now.bind(performance);
  let held = false;
  const normal: (() => void)[] = [];
  const low: { since: number; go: () => void }[] = [];
  const grant = () => {
    const starved = low.length > 0 && now() - low[0].since >= maxWait;
    const next = (starved ? low.shift()?.go : undefined) ?? normal.shift() ?? low.shift()?.go;
    held = next !== undefined;
    next?.();
  };
  return async function lock(lane: 'normal' | 'maintenance' = 'normal'): Promise<() => void> {
    if (held)
      await new Promise<void>((r) =>
        lane === 'normal' ? normal.push(r) : low.push({ since: now(), go: r }),
      );
    else held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      grant();
    };
  };
}

/** The error PGlite raised, rethrown here with the Postgres message and fields (code, detail, ...). */
function toError(reply: Reply, callSite: Error): Error {
  const { message, ...fields } = reply.error ?? { message: 'PGlite worker failed' };
  const err = Object.assign(new Error(message), fields);
  err.stack = `Error: ${message}\n${callSite.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return err;
}

/** How long the embedded database goes at most between checkpoints (see `checkpointEveryMs`). */
export const PGLITE_CHECKPOINT_MS = 5 * 60_000;
/** WAL written since the last checkpoint that starts the next one (see `checkpointWalBytes`). */
export const PGLITE_CHECKPOINT_WAL_BYTES = 32 * 2 ** 20;
/** How often the WAL written since the last checkpoint is read. */
const WAL_CHECK_MS = 1_000;

/**
 * Opens the embedded PostgreSQL (PGlite + TimescaleDB) in a worker thread; `dataDir` undefined is
 * in-memory. The worker keeps the WASM engine's CPU off the event loop.
 *
 * Checkpoints: PGlite runs PostgreSQL as one backend, with no checkpointer process, so nothing ever
 * checkpoints and the WAL (`pg_wal`) only grows (~1 GB for the 7-day history). This does the
 * checkpointer's work through the maintenance lane: a `CHECKPOINT` once `checkpointWalBytes` of WAL
 * were written since the last one (PostgreSQL's `max_wal_size` trigger, which this PGlite build
 * cannot be given: it reads neither `postgresql.conf` nor start-up options), and at least every
 * `checkpointEveryMs`. A checkpoint keeps for reuse about twice the WAL written between
 * checkpoints (its distance estimate, never below `min_wal_size`, 80 MB) and deletes the rest, so
 * the WAL trigger is what bounds `pg_wal`: checkpointing only by time kept a backfill's ~500 MB.
 * `checkpointEveryMs` 0 turns both off.
 */
export async function openPglite(
  opts: { dataDir?: string; checkpointEveryMs?: number; checkpointWalBytes?: number } = {},
): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const unlock = opts.dataDir ? lockDataDir(path.resolve(opts.dataDir)) : () => {};
  const worker = new Worker(new URL('./pgliteWorker.js', import.meta.url), {
    workerData: { dataDir: opts.dataDir },
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: Error | undefined;

  const ready = new Promise<Reply>((resolve, reject) => {
    pending.set(0, { resolve, reject, callSite: new Error() });
  });
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    // An idle worker must not keep the process alive; a busy one must.
    if (pending.size === 0) worker.unref();
    if (reply.ok) p.resolve(reply);
    else p.reject(toError(reply, p.callSite));
  });
  const fail = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
  worker.on('exit', (code) => fail(new Error(`PGlite worker exited (code ${code})`)));

  function call(op: Op, sql: string, params?: unknown[], csv?: string): Promise<Reply> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject, callSite: new Error() });
      worker.ref();
      worker.postMessage({ id, op, sql, params, csv });
    });
  }

  await ready.catch(async (e: Error) => {
    await worker.terminate();
    unlock();
    throw e;
  });

  const raw: Omit<Db, 'transaction' | 'close'> = {
    kind: 'pglite',
    timescale: true,
    async query<T = Record<string, unknown>>(sql: string, params?: unknown[]) {
      const r = await call('query', sql, params);
      return { rows: (r.rows ?? []) as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await call('exec', sql);
    },
    async copyRows(table: string, columns: string[], rows: unknown[][]) {
      const sql = copyStatement(table, columns, "'/dev/blob'");
      for (const part of chunks(rows, COPY_CHUNK_ROWS)) await call('copy', sql, undefined, encodeCsv(part));
    },
  };

  const lock = createPriorityLock();
  const locked =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>, lane: 'normal' | 'maintenance' = 'normal') =>
    async (...a: A): Promise<R> => {
      const release = await lock(lane);
      try {
        return await f(...a);
      } finally {
        release();
      }
    };

  const every = opts.checkpointEveryMs ?? PGLITE_CHECKPOINT_MS;
  const walBytes = opts.checkpointWalBytes ?? PGLITE_CHECKPOINT_WAL_BYTES;
  const maintenanceQuery = locked(raw.query, 'maintenance') as Db['query'];
  const checkpoint = locked(raw.exec, 'maintenance');
  let lastCheckpoint = performance.now();
  let checking = false;
  const checkpointIfDue = async () => {
    const { rows } = await maintenanceQuery<{ wal: number }>(
      'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn)::float8 AS wal FROM pg_control_checkpoint()',
    );
    if ((rows[0]?.wal ?? 0) < walBytes && performance.now() - lastCheckpoint < every) return;
    await checkpoint('CHECKPOINT');
    lastCheckpoint = performance.now();
  };
  const checkpointTimer =
    opts.dataDir && every > 0
      ? setInterval(
          () => {
            if (checking || dead) return;
            checking = true;
            // a failed check or checkpoint leaves the WAL as it was; the next tick tries again
            checkpointIfDue()
              .catch(() => {})
              .finally(() => {
                checking = false;
              });
          },
          Math.min(WAL_CHECK_MS, every),
        )
      : undefined;
  checkpointTimer?.unref();

  const db: Db = {
    kind: 'pglite',
    timescale: true,
    query: locked(raw.query) as Db['query'],
    exec: locked(raw.exec),
    copyRows: locked(raw.copyRows),
    maintenance: {
      kind: 'pglite',
      timescale: true,
      query: maintenanceQuery,
      exec: locked(raw.exec, 'maintenance'),
      copyRows: locked(raw.copyRows, 'maintenance'),
    },
    transaction: locked(async <T>(fn: (tx: Omit<Db, 'transaction' | 'close'>) => Promise<T>): Promise<T> => {
      await raw.exec('BEGIN');
      try {
        const result = await fn(raw);
        await raw.exec('COMMIT');
        return result;
      } catch (e) {
        await raw.exec('ROLLBACK').catch(() => {});
        throw e;
      }
    }) as Db['transaction'],
    close: locked(async () => {
      clearInterval(checkpointTimer);
      if (dead) return;
      await call('close', '').catch(() => {});
      dead = new Error('database is closed');
      await worker.terminate();
      unlock();
    }),
  };
  return db;
}
