// Test support: a redis-server of our own on a free port, that a test may stop, kill and start again
// (the machine's Redis on 6379 is shared by other tests and must never be stopped).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net.ts';
import { findBin, type RestartableProcess, startRestartable } from './privateProcess.ts';

export interface PrivateRedis extends RestartableProcess {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
}

/** The redis-server binary: on PATH, or /usr/bin; undefined when absent. */
export const redisServerBin = () => findBin('redis-server', ['/usr/bin', '/usr/local/bin']);

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const bin = redisServerBin();
  if (!bin) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-redis-'));
  const log = path.join(dir, 'redis.log');
  // pub/sub only (the Socket.IO adapter keeps nothing in Redis): no persistence
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const p = await startRestartable({
    name: 'redis-server',
    bin,
    args: [...args, '--dir', dir, '--logfile', log],
    ports: [port],
    dir,
    log,
    timeoutMs: 10_000,
    everyMs: 50,
  });
  return { port, url: `redis://127.0.0.1:${port}`, ...p };
}
