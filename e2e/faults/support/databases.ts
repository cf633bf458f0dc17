// The databases a scenario's IOC writes to, and the count of what it stored there, read from the
// database itself (not from the product's own figures).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DevicesRepo } from '../../../server/auth/devices.ts';
import { generatePassword } from '../../../server/auth/secrets.ts';
import { UsersRepo } from '../../../server/auth/users.ts';
import { saveCity } from '../../../server/store/assetsRepo.ts';
import { migrate } from '../../../server/store/migrate.ts';
import { openPglite } from '../../../server/store/pgliteDb.ts';
import { generateCity } from '../../../simulators/city.ts';
import { onCleanup, removeDir } from './util.ts';

/** The machine's PostgreSQL (an administrator login), where scenarios make a database each. */
export const PG_ADMIN_URL = process.env.FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The city the IOC generates by default (SIM_SEED 42): the publisher's segments. */
export const CITY = generateCity(42);
export const SEGMENTS = CITY.segments.map((s) => s.id);

export function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ioc-fault-${name}-`));
  onCleanup(`folder ${dir}`, () => removeDir(dir));
  return dir;
}

export interface Login {
  username: string;
  password: string;
}

export interface Credentials {
  device: Login;
  /** the operator accounts asked for, in order */
  operators: Login[];
}

/**
 * Before the IOC first starts on `dataDir`: the embedded database with the city, a device owning
 * every segment (the embedded broker refuses anonymous publishers) and `operators` operator
 * accounts. The same repositories as `npm run device -- add` and `npm run user -- add`, in this
 * process, since the device CLI needs the city stored first and the embedded database is held by
 * one process at a time.
 */
export async function prepareEmbedded(dataDir: string, operators = 0): Promise<Credentials> {
  const db = await openPglite({ dataDir: path.join(dataDir, 'db') });
  try {
    await migrate(db);
    await saveCity(db, CITY);
    const { device, secret } = await new DevicesRepo(db).create('fault-publisher', 'Fault suite', SEGMENTS);
    if (!secret) throw new Error('a new device came without its secret');
    const out: Credentials = { device: { username: device.username, password: secret }, operators: [] };
    for (let i = 1; i <= operators; i++) {
      const login = { username: `fault-operator-${i}`, password: generatePassword() };
      await new UsersRepo(db).create({ ...login, displayName: `Fault operator ${i}`, role: 'operator' });
      out.operators.push(login);
    }
    return out;
  } finally {
    await db.close();
  }
}

/** Rows per message id among the ids starting with `prefix`, and rows dated more than a day ahead. */
export interface StoredRows {
  perId: Map<string, number>;
  future: number;
}

type Query = <T>(sql: string, params?: unknown[]) => Promise<{ rows: T[] }>;

async function countIn(query: Query, prefix: string): Promise<StoredRows> {
  const { rows } = await query<{ msg_id: string; n: number }>(
    `SELECT msg_id, count(*)::int AS n FROM traffic_readings WHERE msg_id LIKE $1 GROUP BY msg_id`,
    [`${prefix}%`],
  );
  const f = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM traffic_readings WHERE time > now() + interval '1 day'`,
  );
  return { perId: new Map(rows.map((r) => [r.msg_id, Number(r.n)])), future: Number(f.rows[0]?.n ?? 0) };
}

/** Counts in the embedded database under `dataDir`: only once the IOC holding it has stopped. */
export async function countEmbedded(dataDir: string, prefix: string): Promise<StoredRows> {
  const db = await openPglite({ dataDir: path.join(dataDir, 'db') });
  try {
    return await countIn((sql, p) => db.query(sql, p), prefix);
  } finally {
    await db.close();
  }
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end().catch(() => {});
  }
}

export function countPostgres(url: string, prefix: string): Promise<StoredRows> {
  return withClient(url, (c) =>
    countIn(async <T>(sql: string, p?: unknown[]) => ({ rows: (await c.query(sql, p)).rows as T[] }), prefix),
  );
}

/** Rows of this run so far (for waiting until the pipeline has drained), from PostgreSQL. */
export function rowCountPostgres(url: string, prefix: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM traffic_readings WHERE msg_id LIKE $1',
      [`${prefix}%`],
    );
    return Number(r.rows[0]?.n ?? 0);
  });
}

/** A new database on a PostgreSQL server (the machine's by default), dropped after the test. */
export async function freshDatabase(adminUrl = PG_ADMIN_URL): Promise<string> {
  const name = `ioc_fault_${randomBytes(5).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  onCleanup(`database ${name}`, () =>
    withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  );
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
