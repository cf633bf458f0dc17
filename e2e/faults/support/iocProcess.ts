// The real product as a child process (`node --import tsx ioc.ts`), as an operator runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { killGroup, onCleanup, poll, ROOT, rssMiB, trackGroup, untrackGroup } from './util.ts';

/** Bearer token for /metrics, the same for every IOC the suite starts (METRICS_TOKEN). */
export const METRICS_TOKEN = randomBytes(16).toString('hex');

export interface IocProcess {
  readonly pid: number;
  readonly httpUrl: string;
  /** exit code or signal once the process has ended */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** the last log lines (stdout and stderr) */
  readonly tail: string[];
  /** messages logged at error level or above */
  readonly errors: string[];
  /** messages logged at warn level (the first 1,000) */
  readonly warnings: string[];
  /** resolves when `/api/health` answers at all (200 or 503); rejects if the process ends first */
  ready(ms?: number): Promise<void>;
  /** SIGKILL to the process group; resolves once it is gone */
  kill9(): Promise<void>;
  /** SIGTERM (writes what is pending, then exits); SIGKILL after `ms` */
  stop(ms?: number): Promise<void>;
  rssMiB(): number | undefined;
}

const TAIL = 200;

/**
 * Starts the IOC with `env` on top of the suite's defaults (127.0.0.1, JSON logs, no simulators, no
 * demo accounts, METRICS_TOKEN). The environment is built from scratch: nothing of the test runner's
 * (NODE_ENV, VITEST, TEST_*) leaks into the product.
 */
export function startIocProcess(env: Record<string, string>): IocProcess {
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    HOST: '127.0.0.1',
    SIMULATE: 'false',
    DEMO_ACCOUNTS: 'false',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    METRICS_TOKEN,
    ...env,
  };
  if (!full.PORT) throw new Error('startIocProcess: PORT is required (the suite polls its health)');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'ioc.ts'], {
    cwd: ROOT,
    env: full,
    // its own process group: a kill reaches everything it started, and nothing of ours
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (!pid) throw new Error('could not start the IOC');
  trackGroup(pid);
  const tail: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let exit: IocProcess['exit'];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      untrackGroup(pid);
      resolve();
    }),
  );
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
      if (process.env.FAULTS_VERBOSE) process.stderr.write(`[ioc ${pid}] ${line}\n`);
      try {
        const o = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((o.level ?? 0) >= 50) errors.push(`${o.msg ?? ''}${o.err?.message ? `: ${o.err.message}` : ''}`);
        else if (o.level === 40 && warnings.length < 1000) warnings.push(o.msg ?? '');
      } catch {
        // not a JSON log line (a message printed before the logger exists)
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const httpUrl = `http://127.0.0.1:${full.PORT}`;
  const kill9 = async () => {
    if (exit) return;
    killGroup(pid, 'SIGKILL');
    await exited;
  };
  onCleanup(`IOC ${pid}`, kill9);

  return {
    pid,
    httpUrl,
    get exit() {
      return exit;
    },
    tail,
    errors,
    warnings,
    async ready(ms = 90_000) {
      await poll(
        async () => {
          if (exit)
            throw new Error(
              `the IOC exited (${exit.code ?? exit.signal}) before answering:\n${tail.slice(-20).join('\n')}`,
            );
          const r = await fetch(`${httpUrl}/api/health`, { signal: AbortSignal.timeout(3000) }).catch(
            () => undefined,
          );
          return r !== undefined && (r.status === 200 || r.status === 503);
        },
        ms,
        `the IOC (pid ${pid}) to answer /api/health`,
      ).catch((e: Error) => {
        if (exit)
          throw new Error(`the IOC exited (${exit.code ?? exit.signal}):\n${tail.slice(-20).join('\n')}`);
        throw e;
      });
    },
    kill9,
    async stop(ms = 30_000) {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    },
    rssMiB: () => (exit ? undefined : rssMiB(pid)),
  };
}

/** The `ioc_ingest_messages_total` of every kind, summed: what this process has stored since it started. */
export async function storedByMetrics(httpUrl: string): Promise<number> {
  return sumMetric(await metricsText(httpUrl), 'ioc_ingest_messages_total');
}

export async function metricsText(httpUrl: string): Promise<string> {
  const r = await fetch(`${httpUrl}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    signal: AbortSignal.timeout(5000),
  });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text();
}

/** Sum of every sample of a Prometheus metric (all label sets). */
export function sumMetric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}
