import path from 'node:path';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { DataDirInUseError } from '../store/dataDirLock.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pgliteDb.ts';
import { openPostgres } from '../store/postgresDb.ts';

/** A problem the command-line tools explain in one message, without a stack trace. */
export class CliError extends Error {}

/**
 * The database the IOC uses, from the same settings (DATABASE_URL, else the embedded one under DATA_DIR),
 * migrated. The embedded database can be open in one process only: a running IOC holds it.
 */
export async function openConfiguredDb(env: Record<string, string | undefined> = process.env): Promise<{
  db: Db;
  cfg: Config;
  where: string;
}> {
  let cfg: Config;
  try {
    cfg = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  let db: Db;
  let where: string;
  if (cfg.DATABASE_URL) {
    db = await openPostgres(cfg.DATABASE_URL, { max: 2, applicationName: 'ioc-cli' });
    where = cfg.DATABASE_URL.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
  } else {
    const dir = path.resolve(cfg.DATA_DIR, 'db');
    try {
      db = await openPglite({ dataDir: dir });
    } catch (err) {
      if (err instanceof DataDirInUseError)
        throw new CliError(
          `${err.message}\nThe embedded database is locked while the IOC runs. Stop the IOC (Ctrl-C), run this ` +
            'command, then start the IOC again; or manage devices on the admin page (/admin) while it runs.',
        );
      throw err;
    }
    where = `embedded (${dir})`;
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, cfg, where };
}

/** Runs a command-line tool's main: its exit code, or a one-line message and 1 for a CliError. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `${err instanceof CliError ? err.message : err instanceof Error ? err.stack : err}\n`,
      );
      process.exit(1);
    },
  );
}
