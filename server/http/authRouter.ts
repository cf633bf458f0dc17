import type { CookieOptions, Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { HOME, type SessionView } from '#contract/auth.ts';
import { hasBadTokenChars } from '#contract/text.ts';
import { actorOf, clientIp, pagesOf, tokenFrom } from '../auth/guard.ts';
import { verifyPassword } from '../auth/secrets.ts';
import { COOKIE, type Sessions } from '../auth/sessions.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { UsersRepo } from '../auth/users.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { AuthContext } from '../domain/session.ts';
import { auditedRateLimit } from './access.ts';
import { HttpError } from './errors.ts';
import { parseBody, trimmedToken } from './query.ts';

export interface AuthDeps {
  users: UsersRepo;
  sessions: Sessions;
  audit: AuditLog;
  /** failures per account, and per address (looser: a control room shares one address) */
  throttle: { user: LoginThrottle; ip: LoginThrottle };
  now?: () => number;
}

export const LoginBody = z.object({
  // looked up in the database and written to the audit log: no control characters (NUL fails both)
  username: trimmedToken(100),
  // only ever hashed: any character may be part of a password
  password: z.string().min(1).max(1024),
});

export function sessionView(auth: AuthContext, idleTimeoutMs: number): SessionView {
  return {
    user: auth.user,
    home: HOME[auth.role],
    pages: pagesOf(auth.role),
    expiresAt: auth.expiresAt,
    idleTimeoutMs,
  };
}

function cookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}

/** Login, logout and "who am I". */
export function authRouter(deps: AuthDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  // a coarse per-address cap on top of the per-account throttle: password guessing costs argon2 time
  const loginLimit = auditedRateLimit(deps.audit, {
    limit: 30,
    code: 'too_many_attempts',
    message: 'too many login attempts: wait a minute',
    entry: () => ({ action: 'auth.login', details: { rateLimited: true } }),
  });

  r.post('/api/auth/login', loginLimit, async (req: Request, res: Response) => {
    const ip = clientIp(req);
    const raw = (req.body as { username?: unknown } | undefined)?.username;
    if (typeof raw === 'string' && hasBadTokenChars(raw)) {
      // a name no account can have (a forged log line, a NUL): refused below, but a probe worth a trace
      deps.throttle.ip.fail(ip);
      deps.audit.record({
        actor: raw,
        role: null,
        ip,
        action: 'auth.login',
        outcome: 'failed',
        details: { reason: 'invalid_username' },
      });
    }
    // 400 invalid_field naming each field missing or bad
    const { username, password } = parseBody(LoginBody, req.body);
    const uKey = username.toLowerCase();
    const wait = Math.max(deps.throttle.user.retryAfterMs(uKey), deps.throttle.ip.retryAfterMs(ip));
    if (wait > 0) {
      const retryAfterS = Math.ceil(wait / 1000);
      deps.audit.record({
        actor: username,
        role: null,
        ip,
        action: 'auth.login',
        outcome: 'denied',
        details: { throttled: true, retryAfterS },
      });
      res.set('Retry-After', String(retryAfterS));
      throw new HttpError(429, 'too_many_attempts', `too many failed logins: try again in ${retryAfterS} s`, {
        retryAfterS,
      });
    }
    const user = await deps.users.byUsername(username);
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok || user.disabled) {
      deps.throttle.user.fail(uKey);
      deps.throttle.ip.fail(ip);
      deps.audit.record({
        actor: username,
        role: user?.role ?? null,
        ip,
        action: 'auth.login',
        outcome: 'failed',
        details: { reason: !user ? 'unknown_user' : !ok ? 'bad_password' : 'disabled' },
      });
      // one answer for all three: the caller learns nothing about which accounts exist
      throw new HttpError(401, 'bad_credentials', 'wrong username or password');
    }
    deps.throttle.user.succeed(uKey);
    const { token, auth } = await deps.sessions.create(user, { ip, userAgent: req.get('user-agent') });
    await deps.users.touchLogin(user.id, now());
    deps.audit.record({ actor: user.username, role: user.role, ip, action: 'auth.login', outcome: 'ok' });
    res.cookie(COOKIE, token, cookieOptions(req, auth.expiresAt - now()));
    res.set('Cache-Control', 'no-store');
    res.json(sessionView(auth, deps.sessions.opts.idleMs));
  });

  r.post('/api/auth/logout', async (req, res) => {
    const token = tokenFrom(req.headers);
    if (req.auth) {
      await deps.sessions.revoke(req.auth.sessionId);
      deps.audit.record({ ...actorOf(req), action: 'auth.logout', outcome: 'ok' });
    }
    if (token) res.clearCookie(COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  r.get('/api/auth/me', (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!req.auth)
      throw new HttpError(
        401,
        'unauthenticated',
        'log in to use this',
        req.authFailure ? { reason: req.authFailure } : undefined,
      );
    res.json(sessionView(req.auth, deps.sessions.opts.idleMs));
  });

  return r;
}
