// The reference the product's ingest is measured against (bench/run.ts): the least a consumer must do
// for the same readings, in a process of its own. mqtt.js (MQTT 5, QoS 1, each PUBACK held until the
// message is committed, as the product does) → JSON.parse + the contract's zod schema → batches of at
// most 5,000 rows or 20 ms (the product's defaults), one write at a time: COPY into a staging table, then
// INSERT … ON CONFLICT DO NOTHING into a table with the product's indexes. No bus, no live state, no
// Socket.IO, no metrics, no reject log.
// Parent → { cmd: 'init', mqttUrl, databaseUrl, topicPrefix, timeIndex } → { ok }; then the child sends
// { progress: stored } after each commit; { cmd: 'stepStart' } / { cmd: 'stepEnd' } → { ok, loopLagP99Ms,
// loopLagMaxMs, rssMiB }; { cmd: 'count' } → { ok, rows }; { cmd: 'exit' }.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mqtt from 'mqtt';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { TrafficReadingSchema } from '#contract/mqtt.ts';
import { encodeCsv } from '../server/store/copyCsv.ts';

const BATCH_MAX = 5000;
const FLUSH_MS = 20;

interface Init {
  mqttUrl: string;
  databaseUrl: string;
  /** e.g. `bench-ref/traffic/`: the product listens on `ioc/#`, so the two never take each other's load */
  topicPrefix: string;
  /** the product's third index on the readings (time DESC, sql/011, for its maintenance); off: the two of the issue */
  timeIndex: boolean;
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void, ...rest: unknown[]) => void;

let db: pg.Client;
let client: mqtt.MqttClient;
let rows: unknown[][] = [];
let done: Array<() => void> = [];
let writing = false;
let timer: NodeJS.Timeout | undefined;
let stored = 0;
let rejected = 0;
let loop = monitorEventLoopDelay({ resolution: 10 });
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
rssTimer.unref();

async function write(): Promise<void> {
  if (writing || rows.length === 0) return;
  writing = true;
  if (timer) clearTimeout(timer);
  timer = undefined;
  const batch = rows;
  const waiting = done;
  rows = [];
  done = [];
  try {
    await db.query('BEGIN');
    await db.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_ref (t float8, segment_id text, speed_kmh real, volume int,
       occupancy real, msg_id text) ON COMMIT DELETE ROWS`,
    );
    await pipeline(
      Readable.from([encodeCsv(batch)]),
      db.query(
        copyFrom(
          'COPY stage_ref (t, segment_id, speed_kmh, volume, occupancy, msg_id) FROM STDIN WITH (FORMAT csv)',
        ),
      ),
    );
    await db.query(
      `INSERT INTO ref_traffic_readings (time, segment_id, speed_kmh, volume, occupancy, msg_id)
       SELECT to_timestamp(t / 1000), segment_id, speed_kmh, volume, occupancy, msg_id FROM stage_ref
       ON CONFLICT DO NOTHING`,
    );
    await db.query('COMMIT');
    stored += batch.length; // duplicates included, as the product's stored + duplicates
    for (const d of waiting) d();
    process.send?.({ progress: stored });
  } catch (err) {
    // a bench has no outage to ride out: say so and stop
    console.error('reference: write failed', err);
    process.exit(1);
  } finally {
    writing = false;
  }
  if (rows.length >= BATCH_MAX) void write();
  else if (rows.length > 0) timer = setTimeout(() => void write(), FLUSH_MS);
}

function take(topic: string, payload: Buffer): Promise<void> | null {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    rejected++;
    return null;
  }
  const r = TrafficReadingSchema.safeParse(json);
  if (!r.success) {
    rejected++;
    return null;
  }
  const p = r.data;
  rows.push([p.ts, topic.slice(topic.lastIndexOf('/') + 1), p.speedKmh, p.volume, p.occupancy, p.id]);
  const committed = new Promise<void>((resolve) => done.push(resolve));
  if (rows.length >= BATCH_MAX) void write();
  else if (!timer && !writing) timer = setTimeout(() => void write(), FLUSH_MS);
  return committed;
}

async function setup(i: Init): Promise<void> {
  db = new pg.Client(i.databaseUrl);
  await db.connect();
  await db.query(`CREATE TABLE IF NOT EXISTS ref_traffic_readings (
    time timestamptz NOT NULL, segment_id text NOT NULL, speed_kmh real NOT NULL, volume int,
    occupancy real, msg_id text)`);
  await db.query('CREATE UNIQUE INDEX IF NOT EXISTS ref_traffic_msg ON ref_traffic_readings (msg_id, time)');
  await db.query(
    'CREATE INDEX IF NOT EXISTS ref_traffic_segment_time ON ref_traffic_readings (segment_id, time DESC)',
  );
  if (i.timeIndex)
    await db.query('CREATE INDEX IF NOT EXISTS ref_traffic_time ON ref_traffic_readings (time DESC)');
  client = mqtt.connect(i.mqttUrl, {
    clientId: `ioc-bench-ref-${process.pid}`,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 600, receiveMaximum: 65_535 },
  });
  // the PUBACK of a message waits for its commit (mqtt.js sends it when handleMessage calls back and reads
  // nothing more until then: so call back at once and hold the PUBACK itself)
  const held = new Map<number, Promise<void> | null>();
  const internal = client as unknown as { _sendPacket: SendPacket };
  const send: SendPacket = internal._sendPacket.bind(client);
  internal._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd !== 'puback' || packet.messageId === undefined || !held.has(packet.messageId))
      return send(packet, cb, ...rest);
    const committed = held.get(packet.messageId);
    held.delete(packet.messageId);
    cb?.();
    if (committed) void committed.then(() => send(packet));
    else send(packet);
  };
  client.handleMessage = (packet, callback) => {
    if (packet.cmd === 'publish' && packet.messageId !== undefined)
      held.set(packet.messageId, take(packet.topic, packet.payload as Buffer));
    callback();
  };
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => {
      (client.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
      client.subscribe(`${i.topicPrefix}+`, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
    client.once('error', reject);
  });
}

process.on('message', async (m: { cmd: string } & Init) => {
  try {
    if (m.cmd === 'init') {
      await setup(m);
      process.send?.({ ok: true });
    } else if (m.cmd === 'stepStart') {
      loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      peakRss = process.memoryUsage().rss;
      process.send?.({ ok: true });
    } else if (m.cmd === 'stepEnd') {
      loop.disable();
      process.send?.({
        ok: true,
        loopLagP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
        loopLagMaxMs: Math.round(loop.max / 1e5) / 10,
        rssMiB: Math.round(peakRss / 2 ** 20),
        rejected,
      });
    } else if (m.cmd === 'count') {
      const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM ref_traffic_readings');
      process.send?.({ ok: true, rows: Number(r.rows[0].n) });
    } else if (m.cmd === 'exit') {
      await new Promise<void>((r) => client.end(false, {}, () => r()));
      await db.end();
      process.exit(0);
    }
  } catch (e) {
    process.send?.({ ok: false, error: String(e) });
  }
});
