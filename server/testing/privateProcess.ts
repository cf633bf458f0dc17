// Test support: a server binary of our own (redis-server, nats-server) that a test may stop, kill and
// start again on the same ports, as its machine-wide twin must never be.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { canConnect } from './net.ts';
import { eventually } from './wait.ts';

/** A binary on PATH or in one of `dirs`; undefined when absent. */
export function findBin(name: string, dirs: string[]): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), ...dirs]) {
    const f = path.join(dir, name);
    if (dir && existsSync(f)) return f;
  }
  return undefined;
}

export interface RestartableProcess {
  /** SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once it is gone */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** starts it again with the same arguments (same ports, same files) */
  start(): Promise<void>;
  /** kills it and deletes `dir`; safe to call twice */
  dispose(): Promise<void>;
}

/**
 * Runs `bin args`, started (and started again) once every port in `ports` takes connections; `dir`
 * holds its files and its `log` (named in the error when it exits at start).
 */
export async function startRestartable(o: {
  name: string;
  bin: string;
  args: string[];
  ports: number[];
  dir: string;
  log: string;
  timeoutMs: number;
  everyMs: number;
}): Promise<RestartableProcess> {
  let child: ChildProcess | undefined;
  let gone: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) throw new Error(`${o.name} is already running`);
    const c = spawn(o.bin, o.args, { stdio: 'ignore' });
    child = c;
    gone = new Promise((r) =>
      c.once('exit', () => {
        if (child === c) child = undefined;
        r();
      }),
    );
    await eventually(
      async () => {
        if (!child) throw new Error(`${o.name} exited at start; see ${o.log}`);
        for (const p of o.ports) if (!(await canConnect(p))) return false;
        return true;
      },
      o.timeoutMs,
      `${o.name} on port${o.ports.length > 1 ? 's' : ''} ${o.ports.join(' and ')}`,
      o.everyMs,
    );
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (!child) return;
    child.kill(signal);
    await gone;
  };
  await start();
  return {
    stop,
    start,
    dispose: async () => {
      await stop('SIGKILL');
      rmSync(o.dir, { recursive: true, force: true });
    },
  };
}
