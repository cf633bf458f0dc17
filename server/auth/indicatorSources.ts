import type { IndicatorSourceKey, IndicatorSourceView } from '#contract/indicatorVocab.ts';
import type { Db } from '../store/db.ts';
import {
  insertSource,
  listSources,
  type SourceRecord,
  sourceRecord,
  updateSource,
} from '../store/indicatorsRepo.ts';
import { generateSecret, mosquittoHash, verifyMosquittoHash } from './secrets.ts';

const DUMMY_HASH = mosquittoHash('not-the-key-of-any-source');
const KEY_PREFIX = 'iock_';

export class SourceError extends Error {
  constructor(
    readonly code: 'source_exists' | 'no_source',
    message: string,
  ) {
    super(message);
  }
}

/** Why a request's key was refused: for the audit log (the caller is told only that it was). */
export type KeyRefusal = 'unknown_source' | 'wrong_key' | 'revoked';

/**
 * The systems that send indicator values over HTTP (`POST /api/ingest/{source}`) and their API keys: a
 * random key shown once, stored as a hash in the device secrets' format (server/auth/secrets.ts), checked in
 * constant time. A source read for a check is reused for `cacheMs` (a revocation made on another instance
 * shows after that; one made here at once).
 */
export class IndicatorSources {
  private readonly cache = new Map<string, { rec: SourceRecord | undefined; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly opts: { cacheMs?: number; now?: () => number } = {},
  ) {}

  async list(): Promise<IndicatorSourceView[]> {
    return (await listSources(this.db)).map((r) => r.source);
  }

  async get(id: string): Promise<IndicatorSourceView | undefined> {
    return (await sourceRecord(this.db, id))?.source;
  }

  /** Registers a source; its key is answered here once and stored only as a hash. */
  async create(s: {
    id: string;
    name: string;
    indicators: string[];
    ratePerMin: number;
  }): Promise<IndicatorSourceKey> {
    const apiKey = newKey();
    try {
      const rec = await insertSource(this.db, { ...s, keyHash: mosquittoHash(apiKey) });
      this.cache.delete(s.id);
      return { source: rec.source, apiKey };
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new SourceError('source_exists', `a source "${s.id}" exists already`);
      throw err;
    }
  }

  async update(
    id: string,
    ch: { name?: string; indicators?: string[]; ratePerMin?: number },
  ): Promise<IndicatorSourceView> {
    const rec = await updateSource(this.db, id, ch);
    this.cache.delete(id);
    if (!rec) throw new SourceError('no_source', `no source "${id}"`);
    return rec.source;
  }

  /** A new key for the source (answered once); the old one stops working and a revocation is lifted. */
  async newKey(id: string): Promise<IndicatorSourceKey> {
    const apiKey = newKey();
    const rec = await updateSource(this.db, id, { keyHash: mosquittoHash(apiKey) });
    this.cache.delete(id);
    if (!rec) throw new SourceError('no_source', `no source "${id}"`);
    return { source: rec.source, apiKey };
  }

  /** Ends the source's key: its requests are refused until it is given a new one. */
  async revoke(id: string): Promise<IndicatorSourceView> {
    const rec = await updateSource(this.db, id, { revoke: true });
    this.cache.delete(id);
    if (!rec) throw new SourceError('no_source', `no source "${id}"`);
    return rec.source;
  }

  /** The source this key belongs to, or why not; the time taken does not tell which. */
  async verify(
    id: string,
    key: string | undefined,
  ): Promise<{ ok: true; source: IndicatorSourceView } | { ok: false; why: KeyRefusal }> {
    const rec = await this.cached(id);
    if (!rec || key === undefined) {
      verifyMosquittoHash(DUMMY_HASH, key ?? '');
      return { ok: false, why: rec ? 'wrong_key' : 'unknown_source' };
    }
    if (!verifyMosquittoHash(rec.keyHash, key)) return { ok: false, why: 'wrong_key' };
    if (rec.source.revokedAt !== null) return { ok: false, why: 'revoked' };
    return { ok: true, source: rec.source };
  }

  private async cached(id: string): Promise<SourceRecord | undefined> {
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < (this.opts.cacheMs ?? 15_000)) return hit.rec;
    const rec = await sourceRecord(this.db, id);
    if (this.cache.size >= 1000) this.cache.clear();
    this.cache.set(id, { rec, at: now });
    return rec;
  }
}

/** A new API key: a prefix that says what it is (secret scanners), then 192 random bits. */
function newKey(): string {
  return `${KEY_PREFIX}${generateSecret()}`;
}
