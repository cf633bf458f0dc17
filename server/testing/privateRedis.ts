// Test support: a redis-server of our own on a free port, that a test may stop, kill and start again
// (the machine's Redis on 6379 is shared by other tests and must never be stopped).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, freePort } from './net.ts';
import { eventually } from './wait.ts';

export interface PrivateRedis {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  /** SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once it is gone */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** starts it again on the same port */
  start(): Promise<void>;
  /** kills it and deletes its folder; safe to call twice */
  dispose(): Promise<void>;
}

/** The redis-server binary: on PATH, or /usr/bin; undefined when absent. */
export function redisServerBin(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin']) {
    const f = path.join(dir, 'redis-server');
    if (dir && existsSync(f)) return f;
  }
  return undefined;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const bin = redisServerBin();
  if (!bin) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-redis-'));
  let child: ChildProcess | undefined;
  let gone: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) throw new Error('redis-server is already running');
    // pub/sub only (the Socket.IO adapter keeps nothing in Redis): no persistence
    const c = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        path.join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    child = c;
    gone = new Promise((r) =>
      c.once('exit', () => {
        if (child === c) child = undefined;
        r();
      }),
    );
    await eventually(
      async () => {
        if (!child) throw new Error(`redis-server exited at start; see ${dir}/redis.log`);
        return canConnect(port);
      },
      10_000,
      `redis-server on port ${port}`,
      50,
    );
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (!child) return;
    child.kill(signal);
    await gone;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    dispose: async () => {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
