// Ingest keeps going and loses nothing: a row the database refuses is isolated and rejected, a message
// is acknowledged only once it is committed, and a database outage holds acknowledgements.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityModel } from '#contract/assets.ts';
import { Bus } from '../bus.ts';
import { indexAssets } from '../domain/assetIndex.ts';
import type { RunningIoc } from '../main.ts';
import { saveCity } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPostgres } from '../store/postgresDb.ts';
import { writeBatch } from '../store/readingsRepo.ts';
import { insertRejects, listRejects } from '../store/rejectsRepo.ts';
import { testBackends } from '../store/testDatabases.ts';
import { eventually, iocSetups } from '../testing/iocHarness.ts';
import { startPrivatePostgres } from '../testing/privatePostgres.ts';
import { IngestPipeline } from './ingestPipeline.ts';

const city: CityModel = {
  name: 'test',
  center: [109.22, 13.77],
  bbox: [109.2, 13.75, 109.25, 13.8],
  segments: Array.from({ length: 20 }, (_, i) => ({
    id: `seg-${i}`,
    name: `Đường ${i}`,
    speedLimitKmh: 50,
    coords: [
      [109.21, 13.76],
      [109.22, 13.77],
    ] as [number, number][],
  })),
  cameras: [],
  districts: [],
};
const assets = indexAssets(city);
const silent = { warn() {}, error() {} };

function pipelineOn(db: Db, bus = new Bus()) {
  return new IngestPipeline({
    store: { writeBatch: (b) => writeBatch(db, b), insertRejects: (r) => insertRejects(db, r) },
    bus,
    assets: () => assets,
    batchMax: 5000,
    flushMs: 20,
    log: silent,
  });
}

const reading = (i: number, speedKmh = 30) =>
  JSON.stringify({ ts: Date.now() - 1000, speedKmh, id: `m-${i}` });

async function storedIds(db: Db, ids: string[]): Promise<string[]> {
  const r = await db.query<{ msg_id: string }>(
    'SELECT msg_id FROM traffic_readings WHERE msg_id = ANY($1::text[])',
    [ids],
  );
  return r.rows.map((x) => x.msg_id);
}

describe.each(testBackends())('ingest pipeline on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    await saveCity(db, city);
  });
  afterAll(() => dispose());

  it('isolates the rows the database refuses, rejects them with a reason, and stores the rest of their batch', async () => {
    // a rule the database holds and the contract does not know (as an operator's CHECK would be)
    await db.exec(
      'ALTER TABLE traffic_readings ADD CONSTRAINT test_no_13 CHECK (speed_kmh <> 13.5) NOT VALID',
    );
    try {
      const pipe = pipelineOn(db);
      const n = 2000;
      const bad = new Set([7, 1234, 1999]);
      const acks = Array.from({ length: n }, (_, i) =>
        pipe.accept(`ioc/traffic/seg-${i % 20}`, reading(i, bad.has(i) ? 13.5 : 30)),
      );
      // every message is answered: the good ones stored, the refused ones rejected
      await Promise.all(acks);
      const ids = Array.from({ length: n }, (_, i) => `m-${i}`);
      const stored = new Set(await storedIds(db, ids));
      expect(stored.size).toBe(n - bad.size);
      for (const i of bad) expect(stored.has(`m-${i}`)).toBe(false);
      expect(pipe.stats.rejected.store_refused).toBe(bad.size);
      // and ingest goes on: the next batch is written
      await pipe.accept('ioc/traffic/seg-1', reading(n));
      expect(await storedIds(db, [`m-${n}`])).toEqual([`m-${n}`]);
      await pipe.stop();
      const log = await listRejects(db, { limit: 10, reason: 'store_refused' });
      expect(log).toHaveLength(3);
      expect(log[0]?.detail).toMatch(/test_no_13/);
      expect(log.map((r) => r.topic).sort()).toEqual([
        'ioc/traffic/seg-14',
        'ioc/traffic/seg-19',
        'ioc/traffic/seg-7',
      ]);
    } finally {
      await db.exec('ALTER TABLE traffic_readings DROP CONSTRAINT test_no_13');
    }
  });

  it('answers a message only once it is committed', async () => {
    const pipe = pipelineOn(db);
    const ids = Array.from({ length: 300 }, (_, i) => 10_000 + i);
    await Promise.all(
      ids.map(async (i) => {
        await pipe.accept('ioc/traffic/seg-2', reading(i));
        // the moment it is answered, the row is there
        expect(await storedIds(db, [`m-${i}`])).toEqual([`m-${i}`]);
      }),
    );
    await pipe.stop();
  });

  it('keeps a NUL in a payload out of the database and logs the reject readably', async () => {
    const pipe = pipelineOn(db);
    await pipe.accept('ioc/traffic/seg-3', `{"ts": ${Date.now()}, "speedKmh": 5, "id": "x\\u0000y"}`);
    await pipe.accept('ioc/traffic/seg-3', `{"ts": ${Date.now()}, "speedKmh": 5, "id": "raw\u0000byte`);
    await pipe.accept('ioc/traffic/seg-3', reading(20_000));
    // (the first is JSON with an escaped NUL: valid JSON, refused by the contract; the second holds the
    // raw byte, which JSON does not allow in a string)
    await pipe.stop();
    expect(pipe.stats.rejected).toMatchObject({ invalid_payload: 1, bad_json: 1 });
    expect(await storedIds(db, ['m-20000'])).toEqual(['m-20000']);
    const log = await listRejects(db, { limit: 2 });
    expect(log.map((r) => r.payload).join(' ')).toContain('raw\\u0000byte');
  });
});

describe('ingest while PostgreSQL is down', () => {
  // a cluster of its own (PostgreSQL's server binaries, as CI installs them): never the shared one
  it('holds the answers while the database is down, and writes everything once it is back', async () => {
    const server = await startPrivatePostgres();
    const db = await openPostgres(server.url, { logger: silent });
    try {
      await migrate(db);
      await saveCity(db, city);
      const pipe = pipelineOn(db);
      await pipe.accept('ioc/traffic/seg-1', reading(30_000));
      await server.stop('fast');
      let answered = 0;
      const ids = Array.from({ length: 500 }, (_, i) => 30_001 + i);
      const acks = ids.map((i) =>
        pipe.accept(`ioc/traffic/seg-${i % 20}`, reading(i)).then(() => {
          answered++;
        }),
      );
      // several writes have failed: nothing was answered (so nothing was acknowledged to a broker)
      await eventually(() => pipe.stats.writeErrors >= 3, 20_000, 'failed writes');
      expect(answered).toBe(0);
      expect(pipe.failing).toBe(true);
      await server.start();
      await Promise.all(acks);
      expect(pipe.failing).toBe(false);
      expect(
        (
          await storedIds(
            db,
            ids.map((i) => `m-${i}`),
          )
        ).length,
      ).toBe(ids.length);
      await pipe.stop();
    } finally {
      await db.close().catch(() => {});
      await server.dispose();
    }
  }, 60_000);
});

// with an external broker, the broker acknowledges the device and ingest acknowledges the broker after
// its commit: the fault suite kills the IOC there to show that nothing acknowledged is lost
describe('acknowledgements of the embedded broker', () => {
  const setup = iocSetups({})[0];
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let login: { url: string; username?: string; password?: string };
  beforeAll(async () => {
    ({ ioc, dispose, mqtt: login } = await setup.start());
  });
  afterAll(() => dispose?.());

  it('a device that got its PUBACK finds its reading stored', async () => {
    const pub = await mqtt.connectAsync(login.url, {
      clientId: `test-ack-${randomUUID().slice(0, 8)}`,
      username: login.username,
      password: login.password,
    });
    try {
      const seg = ioc.city.segments[0].id;
      for (let i = 0; i < 20; i++) {
        const id = randomUUID();
        await pub.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts: Date.now(), speedKmh: 20, id }), {
          qos: 1,
        });
        const r = await ioc.db.query('SELECT 1 FROM traffic_readings WHERE msg_id = $1', [id]);
        expect(r.rowCount).toBe(1);
      }
    } finally {
      await pub.endAsync();
    }
  });
});
