// Test support, not app code: a throw-away PostgreSQL server that a test may stop and start at will
// (outage and fault tests), which the machine's shared server must never be.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, no password) */
  url: string;
  port: number;
  dataDir: string;
  /** `pg_ctl stop -m <mode>` (default 'fast': clients are disconnected at once), waiting until it is down */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** starts it again on the same port and data, resolving once it accepts connections */
  start(): Promise<void>;
  /** stops it (immediate) and deletes its files; safe to call twice */
  dispose(): Promise<void>;
}

/** The folder holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/<v>/bin; undefined when absent. */
export function postgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * initdb into a temporary folder and pg_ctl start on a free port of 127.0.0.1, durability off (a test
 * server). PostgreSQL refuses to run as root: as root, the folder is given to the `postgres` OS user
 * and the tools run through `runuser -u postgres --`. Rejects when initdb is not installed
 * (`postgresBinDir()` undefined): a test that may skip checks that first. A cluster takes ~2 s to make.
 *
 *   const pg = await startPrivatePostgres();
 *   const db = await openPostgres(pg.url);
 *   await pg.stop('fast'); ... await pg.start();
 *   await db.close(); await pg.dispose();
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error('initdb is not installed (PostgreSQL server binaries, e.g. apt-get install postgresql)');
  const asRoot = process.getuid?.() === 0;
  const pgTool = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args])
      : run(path.join(bin, tool), args);

  const base = mkdtempSync(path.join(os.tmpdir(), 'ioc-pg-'));
  const dataDir = path.join(base, 'data');
  if (asRoot) {
    chmodSync(base, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(base, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  const logFile = path.join(base, 'postgres.log');
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${base}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');

  let disposed = false;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop(mode = 'fast') {
      await pgTool('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30']);
    },
    async start() {
      await pgTool('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '30']);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await pgTool('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']).catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await pgTool('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--no-locale',
      '-E',
      'UTF8',
    ]);
    await cluster.start();
  } catch (e) {
    await cluster.dispose();
    throw e;
  }
  return cluster;
}
