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
 * Lines after `-- @after-commit timescale|plain|all` (for that database) are statements to run one at a
 * time after the file's transaction commits (`CALL refresh_continuous_aggregate` refuses to run in a
 * transaction); each ends with `;` at the end of a line.
 */
export function selectSections(sql: string, timescale: boolean): { sql: string; afterCommit: string[] } {
  let keep = true;
  let after = false;
  const out: string[] = [];
  const afterLines: string[] = [];
  for (const line of sql.split('\n')) {
    const marker = /^--\s*@(after-commit\s+)?(timescale|plain|all)\s*$/.exec(line.trim());
    if (marker) {
      after = marker[1] !== undefined;
      keep = marker[2] === 'all' || (marker[2] === 'timescale') === timescale;
      continue;
    }
    if (keep) (after ? afterLines : out).push(line);
  }
  const afterCommit = afterLines
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .split(/;\s*$/m)
    .map((st) => st.trim())
    .filter(Boolean);
  return { sql: out.join('\n'), afterCommit };
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
    const { sql, afterCommit } = selectSections(await readFile(join(dir, name), 'utf8'), db.timescale);
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
    if (ran) {
      applied.push(name);
      // By the instance that applied the file. They only fill what the file created (an aggregate's
      // history): a crash between the commit and here leaves days older than the refresh policies'
      // window unfilled until `CALL refresh_continuous_aggregate(...)` is run by hand.
      for (const st of afterCommit) await db.query(st);
    }
  }
  return applied;
}
