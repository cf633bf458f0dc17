import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceView } from '#contract/auth.ts';
import { generateCity } from '../../simulators/city.ts';
import { saveCity } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pgliteDb.ts';
import {
  DeviceError,
  DevicesRepo,
  generateSecret,
  mayPublish,
  mosquittoHash,
  publishDenial,
  SIMULATOR_DEVICE_ID,
  verifyMosquittoHash,
} from './devices.ts';

const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const havePasswd = existsSync(MOSQUITTO_PASSWD);
if (!havePasswd && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error(
    `IOC_REQUIRE_SERVICES=1 but ${MOSQUITTO_PASSWD} is not installed (apt-get install mosquitto)`,
  );

describe('device secrets in Mosquitto 2.0 format', () => {
  it('hashes as $7$<iterations>$<base64 12-byte salt>$<base64 64-byte hash>', () => {
    const h = mosquittoHash('s3cret');
    const m = /^\$7\$101\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(h);
    expect(m).not.toBeNull();
    expect(Buffer.from(m?.[1] ?? '', 'base64')).toHaveLength(12);
    expect(Buffer.from(m?.[2] ?? '', 'base64')).toHaveLength(64);
    expect(verifyMosquittoHash(h, 's3cret')).toBe(true);
    expect(verifyMosquittoHash(h, 's3creT')).toBe(false);
    expect(verifyMosquittoHash(h, '')).toBe(false);
    // a fresh salt each time
    expect(mosquittoHash('s3cret')).not.toBe(h);
    expect(verifyMosquittoHash('$6$abc$def', 's3cret')).toBe(false);
    expect(verifyMosquittoHash('garbage', 's3cret')).toBe(false);
  });

  it('makes 24-byte random secrets (base64url)', () => {
    const s = generateSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateSecret()).not.toBe(s);
  });

  describe.runIf(havePasswd)('against the real mosquitto_passwd', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-passwd-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies the hashes mosquitto_passwd writes, and reproduces them from their salt', () => {
      const file = path.join(dir, 'passwd');
      const secret = generateSecret();
      execFileSync(MOSQUITTO_PASSWD, ['-c', '-b', file, 'cam-1', secret]);
      execFileSync(MOSQUITTO_PASSWD, ['-b', file, 'odd', 'pässwörd with spaces']);
      const lines = Object.fromEntries(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
      );
      expect(lines['cam-1']).toMatch(/^\$7\$101\$/);
      expect(verifyMosquittoHash(lines['cam-1'], secret)).toBe(true);
      expect(verifyMosquittoHash(lines['cam-1'], `${secret}x`)).toBe(false);
      expect(verifyMosquittoHash(lines.odd, 'pässwörd with spaces')).toBe(true);
      // the same salt and iterations give byte for byte the line mosquitto_passwd wrote
      const [, , iterations, salt] = lines['cam-1'].split('$');
      expect(
        mosquittoHash(secret, { iterations: Number(iterations), salt: Buffer.from(salt, 'base64') }),
      ).toBe(lines['cam-1']);
    });
  });
});

describe('mayPublish', () => {
  const device = (over: Partial<DeviceView> = {}): DeviceView => ({
    id: 'dev-a',
    name: 'A',
    username: 'dev-a',
    assets: ['seg-1', 'cam-1'],
    mayReport: false,
    disabled: false,
    createdAt: 0,
    ...over,
  });

  it.each([
    ['ioc/traffic/seg-1', true, null],
    ['ioc/camera/cam-1/status', true, null],
    ['ioc/camera/cam-1/event', true, null],
    // another device's assets
    ['ioc/traffic/seg-2', false, 'asset'],
    ['ioc/camera/cam-2/status', false, 'asset'],
    ['ioc/camera/cam-2/event', false, 'asset'],
    // not a topic of the contract
    ['ioc/camera/cam-1/other', false, 'topic'],
    ['ioc/traffic/seg-1/extra', false, 'topic'],
    ['ioc/traffic/', false, 'topic'],
    ['ioc/camera/cam-1', false, 'topic'],
    ['$SYS/broker/x', false, 'topic'],
    ['other/topic', false, 'topic'],
    // reports need mayReport
    ['ioc/incident/report', false, 'report'],
  ])('%s → %s', (topic, allowed, reason) => {
    expect(mayPublish(device(), topic)).toBe(allowed);
    expect(publishDenial(device(), topic)).toBe(reason);
  });

  it('lets a device with mayReport report incidents, and a disabled device nothing', () => {
    expect(mayPublish(device({ mayReport: true }), 'ioc/incident/report')).toBe(true);
    expect(mayPublish(device({ disabled: true }), 'ioc/traffic/seg-1')).toBe(false);
    expect(mayPublish(device({ assets: [] }), 'ioc/traffic/seg-1')).toBe(false);
  });

  it('checks a device owning many assets in constant time', () => {
    const many = device({ assets: Array.from({ length: 50_000 }, (_, i) => `seg-${i}`) });
    mayPublish(many, 'ioc/traffic/seg-0');
    const t0 = performance.now();
    for (let i = 0; i < 200_000; i++) mayPublish(many, `ioc/traffic/seg-${i % 60_000}`);
    // a linear scan would take seconds here
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(mayPublish(many, 'ioc/traffic/seg-49999')).toBe(true);
    expect(mayPublish(many, 'ioc/traffic/seg-50000')).toBe(false);
  });
});

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
