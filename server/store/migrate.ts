import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

const DEFAULT_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));
const FILE = /^(\d+)_[\w-]+\.sql$/;
// One lock for every instance migrating the same database (pg_advisory_xact_lock key).
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('ioc.schema_migrations'))";

/**
 * The part of a migration that applies to this database: lines after `-- @timescale` only with
 * TimescaleDB, after `-- @plain` only without it, after `-- @all` (and before any marker) always.
 */
export function selectSections(sql: string, timescale: boolean): string {
  let keep = true;
  const out: string[] = [];
  for (const line of sql.split('\n')) {
    const marker = /^--\s*@(timescale|plain|all)\s*$/.exec(line.trim());
    if (marker) {
      keep = marker[1] === 'all' || (marker[1] === 'timescale') === timescale;
      continue;
    }
    if (keep) out.push(line);
  }
  return out.join('\n');
}

/** Applies the numbered `NNN_name.sql` files of `dir` not yet applied, in order; returns their names. */
export async function migrate(db: Db, dir: string = DEFAULT_DIR): Promise<string[]> {
  const files = (await readdir(dir))
    .filter((f) => FILE.test(f))
    .sort((a, b) => Number(FILE.exec(a)![1]) - Number(FILE.exec(b)![1]) || a.localeCompare(b));
  const variant = db.timescale ? 'timescale' : 'plain';

  await db.transaction(async (tx) => {
    // Under the lock: two instances starting at once would otherwise race on the catalog.
    await tx.query(LOCK_SQL);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      variant text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });

  const applied: string[] = [];
  for (const name of files) {
    const sql = selectSections(await readFile(join(dir, name), 'utf8'), db.timescale);
    // Each file in its own transaction, checked again under the lock: whoever waited on the lock
    // sees the other instance's record and skips.
    const ran = await db.transaction(async (tx) => {
      await tx.query(LOCK_SQL);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (done.rowCount > 0) return false;
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (name, variant) VALUES ($1, $2)', [name, variant]);
      return true;
    });
    if (ran) applied.push(name);
  }
  return applied;
}
