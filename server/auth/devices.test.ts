import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceView } from '#contract/auth.ts';
import { generateCity } from '../../simulators/city.ts';
import { mayPublish } from '../ingest/brokerAuth.ts';
import { saveCity } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pgliteDb.ts';
import { DeviceError, DevicesRepo, SIMULATOR_DEVICE_ID } from './devices.ts';

describe('DevicesRepo (embedded database)', () => {
  let db: Db;
  let now = 1_000_000;
  let repo: DevicesRepo;
  const city = generateCity(42);
  const seg = city.segments.map((s) => s.id);
  const cam = city.cameras.map((c) => c.id);

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await saveCity(db, city);
    repo = new DevicesRepo(db, { cacheMs: 30_000, now: () => now });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates a device, shows its secret once and stores only a Mosquitto hash', async () => {
    const { device, secret } = await repo.create('cam-gw-1', 'Camera gateway 1', [seg[0], cam[0]], false);
    expect(device).toMatchObject({
      id: 'cam-gw-1',
      username: 'cam-gw-1',
      name: 'Camera gateway 1',
      assets: [seg[0], cam[0]],
      mayReport: false,
      disabled: false,
    });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const { rows } = await db.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM devices WHERE id = $1',
      ['cam-gw-1'],
    );
    expect(rows[0].secret_hash).toMatch(/^\$7\$101\$/);
    expect(rows[0].secret_hash).not.toContain(secret as string);
    expect(await repo.verify('cam-gw-1', secret)).toMatchObject({ id: 'cam-gw-1' });
    expect(await repo.verify('cam-gw-1', 'wrong')).toBeNull();
    expect(await repo.verify('nobody', secret)).toBeNull();
    expect(await repo.verify(undefined, undefined)).toBeNull();
    expect((await repo.list()).map((d) => d.id)).toContain('cam-gw-1');
    expect(await repo.get('cam-gw-1')).toMatchObject({ id: 'cam-gw-1' });
    expect(await repo.get('Not An Id')).toBeUndefined();
  });

  it('refuses bad ids, unknown or unsafe assets and a taken id', async () => {
    await expect(repo.create('Bad Id', 'x', [])).rejects.toMatchObject({ code: 'bad_id' });
    await expect(repo.create('a:b', 'x', [])).rejects.toBeInstanceOf(DeviceError);
    await expect(repo.create('dev-x', 'x', ['no-such-segment'])).rejects.toMatchObject({
      code: 'unknown_asset',
    });
    await expect(repo.create('dev-x', 'x', ['ioc/#'])).rejects.toMatchObject({ code: 'bad_asset' });
    await expect(repo.create('dev-x', 'x', ['a+b'])).rejects.toMatchObject({ code: 'bad_asset' });
    await expect(repo.create('dev-x', ' ', [])).rejects.toMatchObject({ code: 'bad_name' });
    await expect(repo.create('cam-gw-1', 'again', [])).rejects.toMatchObject({ code: 'id_taken' });
    await expect(repo.update('no-such', { name: 'x' })).rejects.toMatchObject({ code: 'no_device' });
  });

  it('disables, re-enables and rotates; a change made here is seen at once', async () => {
    const { secret } = await repo.create('gw-2', 'Gateway 2', [seg[1]], true);
    const dev = await repo.verify('gw-2', secret);
    expect(dev).not.toBeNull();
    await repo.update('gw-2', { disabled: true });
    expect(await repo.verify('gw-2', secret)).toBeNull();
    expect(await repo.recheck(dev as DeviceView)).toBeNull();
    await repo.update('gw-2', { disabled: false });
    expect(await repo.recheck(dev as DeviceView)).toMatchObject({ id: 'gw-2' });
    const rotated = await repo.update('gw-2', { rotateSecret: true, assets: [seg[1], seg[2]] });
    expect(rotated.secret).toBeDefined();
    expect(rotated.device.assets).toEqual([seg[1], seg[2]]);
    expect(await repo.verify('gw-2', secret)).toBeNull();
    // the connection made with the old secret ends; one made with the new goes on
    expect(await repo.recheck(dev as DeviceView)).toBeNull();
    const dev2 = await repo.verify('gw-2', rotated.secret);
    expect(dev2?.assets).toEqual([seg[1], seg[2]]);
    expect(await repo.recheck(dev2 as DeviceView)).toMatchObject({ id: 'gw-2' });
    const plain = await repo.update('gw-2', { name: 'Gateway two' });
    expect(plain.secret).toBeUndefined();
    expect(plain.device.name).toBe('Gateway two');
  });

  it('sees a change made elsewhere (another instance, the CLI) once its cache entry is 30 s old', async () => {
    const { secret } = await repo.create('gw-3', 'Gateway 3', [seg[3]]);
    expect(await repo.verify('gw-3', secret)).not.toBeNull();
    const other = new DevicesRepo(db);
    await other.update('gw-3', { disabled: true });
    now += 10_000;
    expect(await repo.verify('gw-3', secret)).not.toBeNull();
    now += 21_000;
    expect(await repo.verify('gw-3', secret)).toBeNull();
  });

  it('gives the simulators a device owning every asset, with a new secret on each start', async () => {
    const all = [...seg, ...cam];
    const first = await repo.ensureSimulatorDevice(all);
    expect(first.device).toMatchObject({ id: SIMULATOR_DEVICE_ID, mayReport: true, disabled: false });
    expect(first.device.assets).toHaveLength(all.length);
    expect(await repo.verify(SIMULATOR_DEVICE_ID, first.secret)).not.toBeNull();
    const second = await repo.ensureSimulatorDevice(all);
    expect(second.secret).not.toBe(first.secret);
    expect(await repo.verify(SIMULATOR_DEVICE_ID, first.secret)).toBeNull();
    const sim = await repo.verify(SIMULATOR_DEVICE_ID, second.secret);
    expect(sim && mayPublish(sim, `ioc/camera/${cam.at(-1)}/event`)).toBe(true);
    expect(sim && mayPublish(sim, 'ioc/incident/report')).toBe(true);
  });
});
