import type { DeviceChanged, DeviceView, UpdateDeviceRequest } from '#contract/auth.ts';
import { knownAssetIds } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import {
  type DeviceRecord,
  deviceRecord,
  insertDevice,
  listDeviceRecords,
  updateDevice,
} from '../store/devicesRepo.ts';
import { generateSecret, mosquittoHash, verifyMosquittoHash } from './secrets.ts';

const DUMMY_HASH = mosquittoHash('not-the-secret-of-any-device');

/** Device ids are MQTT usernames and go into Mosquitto's files: a plain, short alphabet. */
export const DEVICE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** An asset id a device may own: no MQTT wildcard, level separator, space or control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const ASSET_ID = /^[^\s/+#\u0000-\u001f\u007f]{1,128}$/;
/** The device the in-process simulators publish as (SIMULATE). */
export const SIMULATOR_DEVICE_ID = 'simulator';

export class DeviceError extends Error {
  constructor(
    readonly code: 'bad_id' | 'bad_name' | 'bad_asset' | 'unknown_asset' | 'id_taken' | 'no_device',
    message: string,
  ) {
    super(message);
  }
}

const hashOf = new WeakMap<DeviceView, string>();

/** Remembers the secret hash a device object was read with, so that recheck sees a rotation. */
function track(rec: DeviceRecord): DeviceRecord {
  hashOf.set(rec.device, rec.secretHash);
  return rec;
}

export interface DevicesRepoOptions {
  /** how long a device read for a login is reused (ms): a change made on another instance shows after this */
  cacheMs?: number;
  now?: () => number;
}

const CACHE_MAX = 10_000;

/**
 * MQTT devices: credentials, owned assets, and the checks the broker makes (a short cache, constant-time
 * refusals). The rows are server/store/devicesRepo.ts's.
 */
export class DevicesRepo {
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { rec: DeviceRecord | undefined; at: number }>();

  constructor(
    private readonly db: Db,
    opts: DevicesRepoOptions = {},
  ) {
    this.cacheMs = opts.cacheMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  async list(): Promise<DeviceView[]> {
    return (await this.records()).map((r) => r.device);
  }

  /** Every device with its secret hash, by id: what `npm run mosquitto-config` writes out. */
  async records(): Promise<DeviceRecord[]> {
    return (await listDeviceRecords(this.db)).map(track);
  }

  async get(id: string): Promise<DeviceView | undefined> {
    return (await this.record(id))?.device;
  }

  private async record(id: string): Promise<DeviceRecord | undefined> {
    if (!DEVICE_ID.test(id)) return undefined;
    const rec = await deviceRecord(this.db, id);
    return rec && track(rec);
  }

  /** Registers a device; its secret is returned here once and stored only as a hash. */
  async create(id: string, name: string, assets: string[], mayReport = false): Promise<DeviceChanged> {
    if (!DEVICE_ID.test(id))
      throw new DeviceError(
        'bad_id',
        'device id: 1–63 characters, lower-case letters, digits, dash, underscore, starting with a letter or digit',
      );
    const cleanName = checkName(name);
    const list = await this.checkAssets(assets);
    const secret = generateSecret();
    try {
      const rec = await insertDevice(this.db, {
        id,
        name: cleanName,
        secretHash: mosquittoHash(secret),
        assets: list,
        mayReport,
      });
      this.cache.delete(id);
      return { device: track(rec).device, secret };
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new DeviceError('id_taken', `a device "${id}" exists already`);
      throw err;
    }
  }

  /** Changes a device; `rotateSecret` makes a new secret (returned once) and the old one stops working. */
  async update(id: string, req: UpdateDeviceRequest): Promise<DeviceChanged> {
    const name = req.name !== undefined ? checkName(req.name) : undefined;
    const assets = req.assets !== undefined ? await this.checkAssets(req.assets) : undefined;
    const secret = req.rotateSecret ? generateSecret() : undefined;
    const rec = await updateDevice(this.db, id, {
      name,
      assets,
      mayReport: req.mayReport !== undefined ? Boolean(req.mayReport) : undefined,
      disabled: req.disabled !== undefined ? Boolean(req.disabled) : undefined,
      secretHash: secret !== undefined ? mosquittoHash(secret) : undefined,
    });
    this.cache.delete(id);
    if (!rec) throw new DeviceError('no_device', `no device "${id}"`);
    return { device: track(rec).device, ...(secret ? { secret } : {}) };
  }

  /**
   * The device these MQTT credentials belong to, or null (unknown, wrong secret, disabled). The device is
   * read at most every `cacheMs` per username, so a change made elsewhere (another instance, the CLI) is seen
   * within that time; a change made through this object at once.
   */
  async verify(username: string | undefined, password: string | undefined): Promise<DeviceView | null> {
    if (!username || password === undefined || !DEVICE_ID.test(username)) {
      verifyMosquittoHash(DUMMY_HASH, password ?? '');
      return null;
    }
    const rec = await this.cached(username);
    if (!rec) {
      verifyMosquittoHash(DUMMY_HASH, password);
      return null;
    }
    const ok = verifyMosquittoHash(rec.secretHash, password);
    return ok && !rec.device.disabled ? rec.device : null;
  }

  /**
   * The device as it is now, for a connection it authenticated earlier: null when it was disabled, removed
   * or its secret rotated since (the connection should end); else the current view (its assets may have
   * changed). Reads through the same short cache as verify.
   */
  async recheck(device: DeviceView): Promise<DeviceView | null> {
    const rec = await this.cached(device.id);
    if (!rec || rec.device.disabled) return null;
    const before = hashOf.get(device);
    if (before !== undefined && before !== rec.secretHash) return null;
    return rec.device;
  }

  private async cached(id: string): Promise<DeviceRecord | undefined> {
    const now = this.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < this.cacheMs) return hit.rec;
    const rec = await this.record(id);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(id, { rec, at: now });
    return rec;
  }

  /**
   * The in-process simulators' device (SIMULATE): created when missing, given every asset and the right to
   * report, and a fresh secret on every start (the old one stops working). A device an administrator
   * disabled stays disabled.
   */
  async ensureSimulatorDevice(allAssetIds: string[]): Promise<DeviceChanged> {
    const existing = await this.record(SIMULATOR_DEVICE_ID);
    if (!existing)
      try {
        return await this.create(SIMULATOR_DEVICE_ID, 'In-process simulators', allAssetIds, true);
      } catch (err) {
        // another instance made it at the same moment: rotate it below
        if (!(err instanceof DeviceError && err.code === 'id_taken')) throw err;
      }
    return this.update(SIMULATOR_DEVICE_ID, { assets: allAssetIds, mayReport: true, rotateSecret: true });
  }

  /** Refuses asset ids that could not be a topic level, or that are not a segment, camera or indicator. */
  private async checkAssets(assets: string[]): Promise<string[]> {
    const list = [...new Set(assets.map((a) => String(a).trim()).filter(Boolean))];
    const bad = list.find((a) => !ASSET_ID.test(a));
    if (bad !== undefined)
      throw new DeviceError('bad_asset', `asset id ${JSON.stringify(bad)}: no spaces, "/", "+" or "#"`);
    if (!list.length) return list;
    const known = await knownAssetIds(this.db, list);
    const unknown = list.filter((a) => !known.has(a));
    if (unknown.length)
      throw new DeviceError(
        'unknown_asset',
        `not a segment, camera or indicator of the city: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` (and ${unknown.length - 10} more)` : ''}`,
      );
    return list;
  }
}

function checkName(name: string): string {
  const n = String(name ?? '').trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (!n || n.length > 200 || /[\u0000-\u001f\u007f]/.test(n))
    throw new DeviceError('bad_name', 'device name: 1–200 characters, no control characters');
  return n;
}
