// Several IOC instances on the durable log (README "Several instances"): a private NATS with JetStream
// and its MQTT listener, a fresh database on the machine's PostgreSQL, the machine's Redis.
import pg from 'pg';
import { type PrivateNats, startPrivateNats } from '../../../server/testing/privateNats.ts';
import { countPostgres, freshDatabase, rowCountPostgres, type StoredRows, tempDir } from './databases.ts';
import { type IocProcess, startIocProcess } from './iocProcess.ts';
import type { Publisher } from './publisher.ts';
import { freePort, onCleanup, waitStable } from './util.ts';

/** The machine's Redis (the Socket.IO adapter between the instances). */
export const REDIS_URL = process.env.FAULTS_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The product's default (NATS_ACK_WAIT_S): a taken message unacknowledged this long goes to another instance. */
export const ACK_WAIT_S = 10;

export interface Cluster {
  nats: PrivateNats;
  dbUrl: string;
  instances: IocProcess[];
  /** the environment of instance i (the same for all but the port and folder) */
  envOf(i: number): Record<string, string>;
}

/**
 * A private NATS, a fresh database and `n` instances on them, started one after the other (the first
 * migrates). `redis: false` leaves the Socket.IO adapter out (one instance on the log, nothing to share).
 */
export async function startCluster(
  n: number,
  extra: Record<string, string> = {},
  o: { redis?: boolean } = {},
): Promise<Cluster> {
  const nats = await startPrivateNats();
  onCleanup('private NATS', () => nats.dispose());
  const dbUrl = await freshDatabase();
  const envs: Record<string, string>[] = [];
  for (let i = 0; i < n; i++)
    envs.push({
      PORT: String(await freePort()),
      DATA_DIR: tempDir(`scaleout-${i}`),
      MQTT_URL: nats.mqttUrl,
      NATS_URL: nats.url,
      NATS_ACK_WAIT_S: String(ACK_WAIT_S),
      DATABASE_URL: dbUrl,
      // the cluster's own channels on the shared Redis
      ...(o.redis === false ? {} : { REDIS_URL, REDIS_KEY: new URL(dbUrl).pathname.slice(1) }),
      ...extra,
    });
  const instances: IocProcess[] = [];
  for (const env of envs) {
    const p = startIocProcess(env);
    instances.push(p);
    await p.ready();
  }
  return { nats, dbUrl, instances, envOf: (i) => envs[i] };
}

/** How many of `ids` have a row. */
export async function storedOf(url: string, ids: string[]): Promise<number> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    const r = await c.query<{ n: number }>(
      'SELECT count(DISTINCT msg_id)::int AS n FROM traffic_readings WHERE msg_id = ANY($1)',
      [ids],
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Stops publishing, waits for every PUBACK and for the rows to stop changing, stops every instance still up, counts. */
export async function drainCluster(
  pub: Publisher,
  cluster: Cluster,
  prefix: string,
  notes: string[],
): Promise<StoredRows> {
  pub.stopPublishing();
  const outstanding = await pub.settle(60_000);
  if (outstanding) notes.push(`${outstanding} publishes still unanswered after 60 s`);
  try {
    // quiet for longer than the ack wait: a message an instance took and never acknowledged (its ack
    // lost with a NATS restart) comes back only after ACK_WAIT_S, to whichever instance pulls next
    await waitStable(() => rowCountPostgres(cluster.dbUrl, prefix), {
      quietMs: (ACK_WAIT_S + 5) * 1000,
      maxMs: 180_000,
      what: 'the stored count',
    });
  } catch (err) {
    notes.push(String((err as Error).message));
  }
  await pub.end();
  for (const p of cluster.instances) {
    if (p.exit) continue;
    await p.stop();
    const exit = (p as { exit: IocProcess['exit'] }).exit;
    if (exit?.code !== 0)
      notes.push(`instance ${p.pid} exited with ${exit?.code ?? exit?.signal} on SIGTERM`);
  }
  return countPostgres(cluster.dbUrl, prefix);
}
