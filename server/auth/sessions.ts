import { randomUUID } from 'node:crypto';
import type { AuthContext, SessionCheck } from '../domain/session.ts';
import type { Db } from '../store/db.ts';
import {
  insertSession,
  revokeSession,
  revokeUserSessions,
  sessionById,
  sharedKey,
  touchSession,
} from '../store/sessionsRepo.ts';
import type { UserRecord } from '../store/usersRepo.ts';
import { newSigningKey, signSessionToken, verifySessionToken } from './secrets.ts';
import { toView } from './users.ts';

export const COOKIE = 'ioc_session';
/** how long a looked-up session is trusted before the database is asked again (revocation reaches every instance) */
const CACHE_MS = 15_000;
/** last_seen_at is written at most this often per session */
const TOUCH_MS = 60_000;

export interface SessionOptions {
  idleMs: number;
  maxMs: number;
  now?: () => number;
}

interface Cached {
  at: number;
  userId: string;
  expiresAt: number;
  lastSeen: number;
  touched: number;
  revoked: boolean;
  user: UserRecord | undefined;
}

/**
 * Logins: a signed token (HS256, jose) in an HttpOnly cookie names a row in `sessions`; the row decides.
 * Logout and disabling an account revoke rows; every instance sees it within CACHE_MS.
 */
export class Sessions {
  private key: Uint8Array | undefined;
  private readonly cache = new Map<string, Cached>();
  private readonly now: () => number;
  private readonly revokedListeners: Array<(sessionIds: string[]) => void> = [];

  constructor(
    private readonly db: Db,
    private readonly users: { byId(id: string): Promise<UserRecord | undefined> },
    readonly opts: SessionOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Loads (or makes, on the first start) the signing key shared by every instance on this database. */
  async init(): Promise<void> {
    this.key = new Uint8Array((await sharedKey(this.db, 'session', newSigningKey())) as Uint8Array);
    if (this.key.length < 32) throw new Error('session signing key is missing or too short');
  }

  /** Called with the ids of sessions this instance ended (logout, disable), so open sockets can be closed. */
  onRevoked(fn: (sessionIds: string[]) => void): void {
    this.revokedListeners.push(fn);
  }

  /** Starts a session for a user whose password checked out; returns the token for the cookie. */
  async create(
    user: UserRecord,
    meta: { ip?: string; userAgent?: string },
  ): Promise<{ token: string; auth: AuthContext }> {
    const t = this.now();
    const id = randomUUID();
    const expiresAt = t + this.opts.maxMs;
    await insertSession(this.db, {
      id,
      userId: user.id,
      at: t,
      expiresAt,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    });
    const token = await signSessionToken(this.signingKey(), {
      sid: id,
      sub: user.id,
      role: user.role,
      issuedAt: t,
      expiresAt,
    });
    this.cache.set(id, { at: t, userId: user.id, expiresAt, lastSeen: t, touched: t, revoked: false, user });
    return { token, auth: { sessionId: id, user: toView(user), role: user.role, expiresAt } };
  }

  /**
   * Checks a token: signature (HS256 only: `alg: none` and other algorithms are refused), expiry,
   * then the session row (revoked, idle, absolute timeout) and the account (disabled, current role).
   * `activity` false: a check that must not count as the user being active (the socket sweep).
   */
  async check(token: string | undefined, activity = true): Promise<SessionCheck> {
    if (!token) return { ok: false, reason: 'no_token' };
    const v = await verifySessionToken(this.signingKey(), token, this.now());
    if (!v.ok) return v;
    const sid = v.sid;
    const t = this.now();
    const s = await this.lookup(sid, t);
    if (!s) return { ok: false, reason: 'no_session' };
    if (s.revoked) return { ok: false, reason: 'revoked' };
    if (t >= s.expiresAt) return { ok: false, reason: 'expired' };
    if (t - s.lastSeen > this.opts.idleMs) return { ok: false, reason: 'idle' };
    if (!s.user || s.user.disabled) return { ok: false, reason: 'disabled' };
    if (activity) {
      s.lastSeen = t;
      if (t - s.touched >= TOUCH_MS) {
        s.touched = t;
        await touchSession(this.db, sid, t);
      }
    }
    return {
      ok: true,
      auth: { sessionId: sid, user: toView(s.user), role: s.user.role, expiresAt: s.expiresAt },
    };
  }

  /** Ends one session (logout). */
  async revoke(sessionId: string): Promise<void> {
    await revokeSession(this.db, sessionId);
    this.cache.delete(sessionId);
    this.announce([sessionId]);
  }

  /** Ends every session of a user (disabled, password reset, role change). */
  async revokeUser(userId: string): Promise<number> {
    const ids = await revokeUserSessions(this.db, userId);
    for (const [sid, c] of this.cache) if (c.userId === userId) this.cache.delete(sid);
    if (ids.length) this.announce(ids);
    return ids.length;
  }

  private announce(ids: string[]): void {
    for (const fn of this.revokedListeners) fn(ids);
  }

  private async lookup(sid: string, t: number): Promise<Cached | undefined> {
    const c = this.cache.get(sid);
    if (c && t - c.at < CACHE_MS) return c;
    const r = await sessionById(this.db, sid);
    if (!r) {
      this.cache.delete(sid);
      return undefined;
    }
    const dbSeen = new Date(r.last_seen_at).getTime();
    const fresh: Cached = {
      at: t,
      userId: r.user_id,
      expiresAt: new Date(r.expires_at).getTime(),
      // another instance may have seen the user more recently than the row says, and so may we
      lastSeen: Math.max(dbSeen, c?.lastSeen ?? 0),
      touched: Math.max(dbSeen, c?.touched ?? 0),
      revoked: r.revoked_at !== null,
      user: await this.users.byId(r.user_id),
    };
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(sid, fresh);
    return fresh;
  }

  private signingKey(): Uint8Array {
    if (!this.key) throw new Error('Sessions.init() was not awaited');
    return this.key;
  }
}
