// Test support, not app code: it reads process.env itself so every test file picks backends alike.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pgliteDb.ts';
import { openPostgres } from './postgresDb.ts';

export interface OpenedTestDb {
  db: Db;
  /** closes the database and, for PostgreSQL, drops the throw-away database */
  dispose(): Promise<void>;
}

export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** A fresh, empty database; migrated unless `migrate: false`. */
  open(opts?: { migrate?: boolean }): Promise<OpenedTestDb>;
}

/** `url` with its database name replaced. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const pgliteBackend: TestBackend = {
  name: 'pglite',
  async open(opts) {
    const db = await openPglite({});
    if (opts?.migrate !== false) await migrate(db);
    return { db, dispose: () => db.close() };
  },
};

function postgresBackend(adminUrl: string | undefined): TestBackend {
  return {
    name: 'postgres',
    async open(opts) {
      if (!adminUrl) {
        throw new Error(
          'IOC_REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
        );
      }
      const name = `ioc_test_${randomBytes(6).toString('hex')}`;
      await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      let db: Db | undefined;
      const drop = () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      try {
        db = await openPostgres(withDatabase(adminUrl, name), { max: 4 });
        if (opts?.migrate !== false) await migrate(db);
      } catch (e) {
        await db?.close().catch(() => {});
        await drop().catch(() => {});
        throw e;
      }
      const opened = db;
      return {
        db: opened,
        async dispose() {
          await opened.close();
          await drop();
        },
      };
    },
  };
}

/**
 * The databases integration tests run against: PGlite in memory always; PostgreSQL when
 * TEST_DATABASE_URL (an admin URL) is set, each `open()` in a fresh `ioc_test_*` database.
 * With IOC_REQUIRE_SERVICES=1 a missing or unreachable PostgreSQL fails the tests, never skips them.
 */
export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  const url = env.TEST_DATABASE_URL || undefined;
  const required = env.IOC_REQUIRE_SERVICES === '1';
  return url || required ? [pgliteBackend, postgresBackend(url)] : [pgliteBackend];
}
