import { randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '#contract/auth.ts';
import type { Db } from '../store/db.ts';
import type { UserRecord } from './users.ts';
import { toView } from './users.ts';

export const COOKIE = 'ioc_session';
const ISSUER = 'ioc';
const AUDIENCE = 'ioc-session';
/** how long a looked-up session is trusted before the database is asked again (revocation reaches every instance) */
const CACHE_MS = 15_000;
/** last_seen_at is written at most this often per session */
const TOUCH_MS = 60_000;

export interface SessionOptions {
  idleMs: number;
  maxMs: number;
  now?: () => number;
}

/** Who is calling, once their token and session checked out. */
export interface AuthContext {
  sessionId: string;
  user: ReturnType<typeof toView>;
  role: Role;
  expiresAt: number;
}

export type SessionCheck =
  | { ok: true; auth: AuthContext }
  | {
      ok: false;
      reason: 'no_token' | 'bad_token' | 'expired' | 'idle' | 'revoked' | 'disabled' | 'no_session';
    };

interface Cached {
  at: number;
  userId: string;
  expiresAt: number;
  lastSeen: number;
  touched: number;
  revoked: boolean;
  user: UserRecord | undefined;
}

interface SessionRow {
  id: string;
  user_id: string;
  expires_at: Date | string;
  last_seen_at: Date | string;
  revoked_at: Date | string | null;
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
    await this.db.query('INSERT INTO auth_keys (id, secret) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      'session',
      randomBytes(32),
    ]);
    const { rows } = await this.db.query<{ secret: Uint8Array }>(
      "SELECT secret FROM auth_keys WHERE id = 'session'",
    );
    this.key = new Uint8Array(rows[0]?.secret as Uint8Array);
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
    await this.db.query(
      `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $3, $4, $5, $6)`,
      [
        id,
        user.id,
        new Date(t).toISOString(),
        new Date(expiresAt).toISOString(),
        meta.ip ?? null,
        meta.userAgent?.slice(0, 300) ?? null,
      ],
    );
    const token = await new SignJWT({ sid: id, role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(t / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.signingKey());
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
    let sid: string;
    try {
      const { payload } = await jwtVerify(token, this.signingKey(), {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.now()),
      });
      if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string')
        return { ok: false, reason: 'bad_token' };
      sid = payload.sid;
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'bad_token' };
    }
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
        await this.db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [
          sid,
          new Date(t).toISOString(),
        ]);
      }
    }
    return {
      ok: true,
      auth: { sessionId: sid, user: toView(s.user), role: s.user.role, expiresAt: s.expiresAt },
    };
  }

  /** Ends one session (logout). */
  async revoke(sessionId: string): Promise<void> {
    await this.db.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [
      sessionId,
    ]);
    this.cache.delete(sessionId);
    this.announce([sessionId]);
  }

  /** Ends every session of a user (disabled, password reset, role change). */
  async revokeUser(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
      [userId],
    );
    for (const [sid, c] of this.cache) if (c.userId === userId) this.cache.delete(sid);
    const ids = rows.map((r) => r.id);
    if (ids.length) this.announce(ids);
    return ids.length;
  }

  private announce(ids: string[]): void {
    for (const fn of this.revokedListeners) fn(ids);
  }

  private async lookup(sid: string, t: number): Promise<Cached | undefined> {
    const c = this.cache.get(sid);
    if (c && t - c.at < CACHE_MS) return c;
    const { rows } = await this.db.query<SessionRow>(
      'SELECT id, user_id, expires_at, last_seen_at, revoked_at FROM sessions WHERE id = $1',
      [sid],
    );
    const r = rows[0];
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
