// npm run bench:scaleout: ingest throughput of 1, 2 and 3 instances on the durable log (NATS JetStream,
// one PostgreSQL, Redis), as the fault suite starts them. A QoS 1 publisher offers more than they can
// take (BENCH_SCALE_RATE, default 6,000 msg/s) for BENCH_SCALE_S seconds; the figure is rows committed per
// second, counted in the database, between the first row and the last.
import { randomBytes } from 'node:crypto';
import { drainCluster, startCluster } from '../e2e/faults/support/cluster.ts';
import { SEGMENTS } from '../e2e/faults/support/databases.ts';
import { Publisher } from '../e2e/faults/support/publisher.ts';
import { cleanupAll, sleep } from '../e2e/faults/support/util.ts';

const RATE = Number(process.env.BENCH_SCALE_RATE ?? 6000);
const SECONDS = Number(process.env.BENCH_SCALE_S ?? 15);
const COUNTS = (process.env.BENCH_SCALE_N ?? '1,2,3').split(',').map(Number);

async function run(n: number): Promise<{ n: number; offered: number; stored: number; perS: number }> {
  const cluster = await startCluster(n);
  const prefix = `b${n}-${randomBytes(3).toString('hex')}`;
  const pub = await Publisher.connect({ url: cluster.nats.mqttUrl, segments: SEGMENTS, prefix, rate: RATE });
  pub.start();
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const notes: string[] = [];
  const rows = await drainCluster(pub, cluster, prefix, notes);
  // drainCluster waits until the count is still for 3 s: that quiet spell is not ingest time
  const ms = Date.now() - t0 - 3000;
  let stored = 0;
  for (const v of rows.perId.values()) stored += v;
  await cleanupAll();
  return { n, offered: pub.published, stored, perS: Math.round(stored / (ms / 1000)) };
}

const results = [];
for (const n of COUNTS) {
  process.stderr.write(`${n} instance(s)…\n`);
  results.push(await run(n));
}
process.stdout.write(
  '| instances | offered | stored | stored/s (publish start → drained) |\n|---|---|---|---|\n',
);
for (const r of results) process.stdout.write(`| ${r.n} | ${r.offered} | ${r.stored} | ${r.perS} |\n`);
process.exit(0);
