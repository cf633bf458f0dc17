// What the command-line tools (npm run user, device, mosquitto-config) share: parsing with the
// help on a bad option, the IOC's database opened and closed around the work, printing and exit codes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
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

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command line (strict options, positionals allowed): 'help' for -h/--help or no command,
 * else the values and positionals. A bad option is a CliError followed by the tool's help.
 */
export function parseCommandLine<O extends Options>(argv: string[], options: O, help: string) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; strict: true; allowPositionals: true; options: O }>
  >;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options });
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : err}\n\n${help}`);
  }
  const values = parsed.values as { help?: boolean };
  return values.help || parsed.positionals.length === 0 ? 'help' : parsed;
}

/**
 * A tool's main: prints the help when asked, else opens the IOC's database, runs the command on it
 * (which prints what it has to say) and closes it. 0 on success; a CliError is printed by runCli.
 */
export function dbCommand<C>(tool: {
  help: string;
  parse(argv: string[]): C | 'help';
  run(db: Db, c: C, where: string): Promise<void>;
}): (argv: string[]) => Promise<number> {
  return async (argv) => {
    const c = tool.parse(argv);
    if (c === 'help') {
      process.stdout.write(tool.help);
      return 0;
    }
    const { db, where } = await openConfiguredDb();
    try {
      await tool.run(db, c, where);
      return 0;
    } finally {
      await db.close();
    }
  };
}

/** Runs a tool's main with the process's arguments when its module is the script node started (not when imported). */
export function runIfMain(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl))
    runCli(() => main(process.argv.slice(2)));
}
