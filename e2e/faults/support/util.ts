// Fault suite support: small helpers, and one place that cleans up whatever a scenario started.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export { canConnect, freePort } from '../../../server/testing/net.ts';

import { eventually } from '../../../server/testing/wait.ts';

/** Polls `fn` every `everyMs` until it answers a value that is not undefined/false; throws after `ms`. */
export const poll = <T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
  what: string,
  everyMs = 250,
): Promise<T> => eventually(fn, ms, what, everyMs);

/**
 * Polls a count until it has not changed for `quietMs` (the pipeline has drained); answers the last
 * value, or throws after `maxMs` with the last values seen.
 */
export async function waitStable(
  count: () => Promise<number>,
  opts: { quietMs: number; maxMs: number; what: string },
): Promise<number> {
  const end = Date.now() + opts.maxMs;
  let last = await count();
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(500);
    const v = await count();
    if (v !== last) {
      last = v;
      since = Date.now();
    } else if (Date.now() - since >= opts.quietMs) return v;
  }
  throw new Error(`${opts.what} still changing after ${opts.maxMs} ms (last ${last})`);
}

type Cleanup = { name: string; fn: () => Promise<void> | void };
const cleanups: Cleanup[] = [];
/** process groups to kill with SIGKILL if the test process itself exits before the cleanups run */
const groups = new Set<number>();

/** Registers a clean-up, run (last first) by `cleanupAll` after every test, passed or failed. */
export function onCleanup(name: string, fn: () => Promise<void> | void): void {
  cleanups.push({ name, fn });
}

/** Runs every registered clean-up, last first; one failing does not stop the others. */
export async function cleanupAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c.fn();
    } catch (err) {
      process.stderr.write(`[faults] clean-up ${c.name} failed: ${String(err)}\n`);
    }
  }
}

export function trackGroup(pid: number): void {
  groups.add(pid);
}

export function untrackGroup(pid: number): void {
  groups.delete(pid);
}

/** Sends `signal` to the whole process group of a child started with `detached: true`. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

const killAll = () => {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
};
process.on('exit', killAll);
// the test runner stopped or gone (a time limit, Ctrl-C): the IOCs it started, in their own process
// groups, must not outlive it
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
process.once('disconnect', () => {
  killAll();
  process.exit(1);
});

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Resident memory of a process in MiB, from /proc (undefined once it is gone). */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const t0 = Date.now();
/** A progress line on stderr: what a scenario is doing, for reading a run as it goes. */
export function say(msg: string): void {
  process.stderr.write(`[faults +${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}\n`);
}
