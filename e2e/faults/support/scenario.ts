// What every scenario ends with: stop publishing, let the pipeline drain, count the rows in the
// database, judge the criteria, record the result, then let the test assert.
import { inject } from 'vitest';
import { countEmbedded, countPostgres, rowCountPostgres, type StoredRows } from './databases.ts';
import { type IocProcess, storedByMetrics } from './iocProcess.ts';
import type { Monitor } from './monitor.ts';
import type { Publisher } from './publisher.ts';
import { appendResult, type FaultResult, table } from './results.ts';
import { poll, sleep, waitStable } from './util.ts';

/**
 * Starts the load on `dbUrl`'s database, waits for its first readings to be stored, then until the
 * scenario's set time into the load (the fault comes then: that is the scenario, not a wait for
 * something). Returns when the load started.
 */
export async function loadUntilFault(pub: Publisher, dbUrl: string, prefix: string, runBeforeMs: number) {
  pub.start();
  const pubStart = Date.now();
  await poll(
    async () => (await rowCountPostgres(dbUrl, prefix)) > 0,
    20_000,
    'the first readings to be stored',
  );
  await sleep(Math.max(0, pubStart + runBeforeMs - Date.now()));
  return pubStart;
}

/** Messages per second of the scenarios' publisher (FAULTS_RATE overrides). */
export const rate = (dflt: number) => Number(process.env.FAULTS_RATE ?? dflt);

export type Store = { kind: 'embedded'; dataDir: string } | { kind: 'postgres'; url: string };

/**
 * Stops publishing and waits for every PUBACK, then for the stored count to stop changing (rows in
 * PostgreSQL; the IOC's stored-messages counter for the embedded database, which only one process
 * may open), stops the IOC (SIGTERM: it writes what is pending) and counts this run's rows.
 */
export async function drainAndCount(
  pub: Publisher,
  ioc: IocProcess,
  store: Store,
  prefix: string,
  notes: string[],
): Promise<StoredRows> {
  pub.stopPublishing();
  const outstanding = await pub.settle(60_000);
  if (outstanding) notes.push(`${outstanding} publishes still unanswered after 60 s`);
  try {
    await waitStable(
      store.kind === 'postgres'
        ? () => rowCountPostgres(store.url, prefix)
        : () => storedByMetrics(ioc.httpUrl).catch(() => -1),
      { quietMs: 3000, maxMs: 180_000, what: 'the stored count' },
    );
  } catch (err) {
    notes.push(String((err as Error).message));
  }
  await pub.end();
  const wasUp = ioc.exit === undefined;
  await ioc.stop();
  // (read again after the stop: TypeScript would keep the narrowing of the line above)
  const exit = (ioc as { exit: IocProcess['exit'] }).exit;
  if (!wasUp) notes.push(`the IOC had exited before the end (${exit?.code ?? exit?.signal})`);
  else if (exit?.code !== 0)
    notes.push(
      `the IOC exited with ${exit?.code ?? exit?.signal} on SIGTERM${
        ioc.errors.length ? ` (logged: ${ioc.errors.slice(-2).join(' | ')})` : ''
      }`,
    );
  return store.kind === 'postgres' ? countPostgres(store.url, prefix) : countEmbedded(store.dataDir, prefix);
}

export interface Judged {
  result: FaultResult;
  /** the criteria not met, each in a sentence */
  failures: string[];
}

/**
 * Counts lost (acknowledged, no row) and duplicated (rows beyond the first of an id) messages, adds
 * the scenario's own checks, records the result and answers what failed.
 */
export function judge(o: {
  scenario: string;
  setup: string;
  startedAt: number;
  pub: Publisher;
  stored: StoredRows;
  /** (its peak RSS; several instances: the highest of theirs) */
  monitor: Pick<Monitor, 'peakRssMiB'>;
  rssBoundMiB: number;
  healthDuring: string;
  healthAfter: string;
  /** [met, what the criterion is] */
  checks: Array<[boolean, string]>;
  notes: string[];
}): Judged {
  const lostIds = [...o.pub.acked].filter((id) => !o.stored.perId.has(id));
  let stored = 0;
  let duplicated = 0;
  for (const n of o.stored.perId.values()) {
    stored += n;
    duplicated += n - 1;
  }
  const failures: string[] = [];
  if (lostIds.length)
    failures.push(
      `${lostIds.length} acknowledged messages not stored (e.g. ${lostIds.slice(0, 3).join(', ')})`,
    );
  if (duplicated) failures.push(`${duplicated} rows stored twice or more`);
  if (o.monitor.peakRssMiB > o.rssBoundMiB)
    failures.push(`peak RSS ${o.monitor.peakRssMiB} MiB over the bound of ${o.rssBoundMiB} MiB`);
  for (const [met, what] of o.checks) if (!met) failures.push(what);
  const result: FaultResult = {
    scenario: o.scenario,
    setup: o.setup,
    published: o.pub.published,
    acked: o.pub.acked.size,
    stored,
    lost: lostIds.length,
    duplicated,
    peakRssMiB: o.monitor.peakRssMiB,
    rssBoundMiB: o.rssBoundMiB,
    healthDuring: o.healthDuring,
    healthAfter: o.healthAfter,
    pass: failures.length === 0,
    notes: [...failures, ...o.notes],
    seconds: Math.round((Date.now() - o.startedAt) / 1000),
  };
  appendResult(inject('faultsResultsFile'), result);
  process.stderr.write(`\n${table([result])}\n`);
  return { result, failures };
}

/** "20 s" of a span of milliseconds. */
export const secs = (ms: number) => `${Math.round(ms / 1000)} s`;
