import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeviceChanged, DeviceView, UpdateDeviceRequest } from '#contract/auth.ts';
import { parseTopic } from '#contract/mqtt.ts';
import type { Db } from '../store/db.ts';

// ---------------------------------------------------------------------------------------------
// Secrets and their hashes, in Mosquitto 2.0's password-file format

/**
 * Mosquitto 2.0's default (`mosquitto_passwd`, sha512-pbkdf2): `$7$<iterations>$<base64 12-byte salt>$<base64
 * 64-byte PBKDF2-HMAC-SHA512>`. The iteration count is Mosquitto's own default: a device secret is 192 random
 * bits, so guessing it is out of reach whatever the count, and a cheap check keeps a reconnect storm of a
 * thousand devices cheap for both brokers.
 */
const ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** A new device secret: 24 random bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Hashes a secret the way `mosquitto_passwd` does, so the hash goes into a Mosquitto password file as is. */
export function mosquittoHash(secret: string, opts: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = opts.iterations ?? ITERATIONS;
  const salt = opts.salt ?? randomBytes(SALT_BYTES);
  const hash = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const HASH_FORMAT = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
const DUMMY_HASH = mosquittoHash('not-the-secret-of-any-device');

/** Checks a secret against a `$7$` hash in constant time; false for anything malformed. */
export function verifyMosquittoHash(stored: string, secret: string): boolean {
  const m = HASH_FORMAT.exec(stored);
  if (!m) return false;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2], 'base64');
  const want = Buffer.from(m[3], 'base64');
  if (iterations < 1 || want.length === 0) return false;
  const got = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, want.length, 'sha512');
  return timingSafeEqual(got, want);
}

// ---------------------------------------------------------------------------------------------
// What a device may publish

/**
 * Why a device may not publish to a topic: not a topic of the contract, an asset it does not own, a report
 * it may not make, or the device is disabled.
 */
export type PublishDenial = 'topic' | 'asset' | 'report' | 'revoked';

const assetSets = new WeakMap<DeviceView, Set<string>>();

/** The device's assets as a Set, made once per device object: O(1) checks for a device owning thousands. */
function assetSet(device: DeviceView): Set<string> {
  let s = assetSets.get(device);
  if (!s) {
    s = new Set(device.assets);
    assetSets.set(device, s);
  }
  return s;
}

/**
 * Why `device` may not publish to `topic`, or null when it may: the contract's topics only;
 * `ioc/traffic/{id}`, `ioc/camera/{id}/status|event` for an asset it owns; `ioc/incident/report` with mayReport.
 */
export function publishDenial(device: DeviceView, topic: string): PublishDenial | null {
  if (device.disabled) return 'revoked';
  const t = parseTopic(topic);
  if (!t) return 'topic';
  if (t.kind === 'incident_report') return device.mayReport ? null : 'report';
  return assetSet(device).has(t.assetId) ? null : 'asset';
}

/** Whether `device` may publish to `topic` (see publishDenial). Pure; O(1) after the device's first check. */
export function mayPublish(device: DeviceView, topic: string): boolean {
  return publishDenial(device, topic) === null;
}

// ---------------------------------------------------------------------------------------------
// The devices table

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

interface Row {
  id: string;
  name: string;
  username: string;
  secret_hash: string;
  assets: string[] | null;
  may_report: boolean;
  disabled: boolean;
  created_at: Date | string;
}

/** A device with its secret's hash: for the broker's checks and the Mosquitto password file, never for the API. */
export interface DeviceRecord {
  device: DeviceView;
  secretHash: string;
}

const COLS = 'id, name, username, secret_hash, assets, may_report, disabled, created_at';
const hashOf = new WeakMap<DeviceView, string>();

function toRecord(r: Row): DeviceRecord {
  const device: DeviceView = {
    id: r.id,
    name: r.name,
    username: r.username,
    assets: r.assets ?? [],
    mayReport: r.may_report,
    disabled: r.disabled,
    createdAt: new Date(r.created_at).getTime(),
  };
  hashOf.set(device, r.secret_hash);
  return { device, secretHash: r.secret_hash };
}

export interface DevicesRepoOptions {
  /** how long a device read for a login is reused (ms): a change made on another instance shows after this */
  cacheMs?: number;
  now?: () => number;
}

const CACHE_MAX = 10_000;

/** MQTT devices (table `devices`, sql/009): credentials, owned assets, and the checks the broker makes. */
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
    const { rows } = await this.db.query<Row>(`SELECT ${COLS} FROM devices ORDER BY id`);
    return rows.map(toRecord);
  }

  async get(id: string): Promise<DeviceView | undefined> {
    return (await this.record(id))?.device;
  }

  private async record(id: string): Promise<DeviceRecord | undefined> {
    if (!DEVICE_ID.test(id)) return undefined;
    const { rows } = await this.db.query<Row>(`SELECT ${COLS} FROM devices WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
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
      const { rows } = await this.db.query<Row>(
        `INSERT INTO devices (id, name, username, secret_hash, assets, may_report)
         VALUES ($1, $2, $1, $3, $4, $5) RETURNING ${COLS}`,
        [id, cleanName, mosquittoHash(secret), list, mayReport],
      );
      this.cache.delete(id);
      return { device: toRecord(rows[0]).device, secret };
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new DeviceError('id_taken', `a device "${id}" exists already`);
      throw err;
    }
  }

  /** Changes a device; `rotateSecret` makes a new secret (returned once) and the old one stops working. */
  async update(id: string, req: UpdateDeviceRequest): Promise<DeviceChanged> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (req.name !== undefined) set('name', checkName(req.name));
    if (req.assets !== undefined) set('assets', await this.checkAssets(req.assets));
    if (req.mayReport !== undefined) set('may_report', Boolean(req.mayReport));
    if (req.disabled !== undefined) set('disabled', Boolean(req.disabled));
    let secret: string | undefined;
    if (req.rotateSecret) {
      secret = generateSecret();
      set('secret_hash', mosquittoHash(secret));
    }
    sets.push('updated_at = now()');
    const { rows } = await this.db.query<Row>(
      `UPDATE devices SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLS}`,
      params,
    );
    this.cache.delete(id);
    if (!rows[0]) throw new DeviceError('no_device', `no device "${id}"`);
    return { device: toRecord(rows[0]).device, ...(secret ? { secret } : {}) };
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

  /** Refuses asset ids that could not be a topic level, or that are not a segment or camera of the city. */
  private async checkAssets(assets: string[]): Promise<string[]> {
    const list = [...new Set(assets.map((a) => String(a).trim()).filter(Boolean))];
    const bad = list.find((a) => !ASSET_ID.test(a));
    if (bad !== undefined)
      throw new DeviceError('bad_asset', `asset id ${JSON.stringify(bad)}: no spaces, "/", "+" or "#"`);
    if (!list.length) return list;
    const { rows } = await this.db.query<{ id: string }>(
      'SELECT id FROM segments WHERE id = ANY($1) UNION SELECT id FROM cameras WHERE id = ANY($1)',
      [list],
    );
    const known = new Set(rows.map((r) => r.id));
    const unknown = list.filter((a) => !known.has(a));
    if (unknown.length)
      throw new DeviceError(
        'unknown_asset',
        `not a segment or camera of the city: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` (and ${unknown.length - 10} more)` : ''}`,
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
