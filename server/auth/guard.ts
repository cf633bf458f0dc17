import { timingSafeEqual } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HOME, PAGE_ROLES, type Role } from '#contract/auth.ts';
import { HttpError } from '../http/errors.ts';
import type { AuditInput, AuditLog } from './audit.ts';
import { allows, ruleFor } from './policy.ts';
import { type AuthContext, COOKIE, type SessionCheck, type Sessions } from './sessions.ts';

declare global {
  namespace Express {
    interface Request {
      /** set when the caller's session checked out */
      auth?: AuthContext;
      /** why there is no `auth` (expired, revoked, …) when a token was sent */
      authFailure?: Exclude<SessionCheck, { ok: true }>['reason'];
    }
  }
}

/** The session token a request or a Socket.IO handshake carries: the cookie, else a Bearer header. */
export function tokenFrom(headers: { cookie?: string; authorization?: string }): string | undefined {
  const fromCookie = headers.cookie ? parseCookie(headers.cookie)[COOKIE] : undefined;
  if (fromCookie) return fromCookie;
  return bearer(headers.authorization);
}

/** The token of an `Authorization: Bearer <token>` header. */
function bearer(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}

/** Audit fields for whoever made this request. */
export function actorOf(req: Request): Pick<AuditInput, 'actor' | 'role' | 'ip'> {
  return { actor: req.auth?.user.username ?? null, role: req.auth?.role ?? null, ip: clientIp(req) };
}

/** Reads the session token of every request; sets `req.auth` when it is good. Refuses nothing by itself. */
export function authenticate(sessions: Sessions): RequestHandler {
  return async (req, _res, next) => {
    try {
      const token = tokenFrom(req.headers);
      if (token) {
        const c = await sessions.check(token);
        if (c.ok) req.auth = c.auth;
        else req.authFailure = c.reason;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Applies the access table (server/auth/policy.ts) to /api, /metrics and /open311 before any
 * router: 401 without a session, 403 for a role the rule does not name, each refusal audited.
 */
export function enforcePolicy(audit: AuditLog, opts: { metricsToken?: string } = {}): RequestHandler {
  return (req, _res, next) => {
    const p = req.path;
    if (!(p.startsWith('/api/') || p === '/api' || p === '/metrics' || p.startsWith('/open311/')))
      return next();
    if (req.method === 'OPTIONS') return next();
    if (p === '/metrics' && opts.metricsToken) {
      const token = bearer(req.headers.authorization);
      if (token && sameSecret(token, opts.metricsToken)) return next();
    }
    const rule = ruleFor(req.method, p);
    const role = req.auth?.role;
    if (rule && allows(rule.access, role)) return next();
    const denied = (status: 401 | 403) => {
      audit.record({
        ...actorOf(req),
        action: 'http.denied',
        target: `${req.method} ${p}`,
        outcome: 'denied',
        details: { status, ...(req.authFailure ? { session: req.authFailure } : {}) },
      });
    };
    if (!req.auth) {
      denied(401);
      return next(
        new HttpError(
          401,
          'unauthenticated',
          req.authFailure && req.authFailure !== 'bad_token'
            ? 'your session has ended: log in again'
            : 'log in to use this',
          req.authFailure ? { reason: req.authFailure } : undefined,
        ),
      );
    }
    denied(403);
    next(new HttpError(403, 'forbidden', `the ${role} role may not ${req.method} ${p}`));
  };
}

/**
 * Pages: without a session, to the login page (coming back afterwards); with a role that may not
 * open this page, to the role's own page.
 */
export function guardPage(page: string): RequestHandler {
  const roles = PAGE_ROLES[page] ?? [];
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.auth) {
      const q = new URLSearchParams({ next: req.originalUrl });
      if (req.authFailure && req.authFailure !== 'bad_token') q.set('expired', '1');
      res.set('Cache-Control', 'no-store');
      return res.redirect(302, `/login?${q}`);
    }
    if (!roles.includes(req.auth.role)) {
      res.set('Cache-Control', 'no-store');
      return res.redirect(302, HOME[req.auth.role]);
    }
    next();
  };
}

/** Pages a role may open, in the navigation's order. */
export function pagesOf(role: Role): string[] {
  return Object.entries(PAGE_ROLES)
    .filter(([, roles]) => roles.includes(role))
    .map(([p]) => p);
}

/**
 * A per-minute request cap whose refusals are audited and answered 429 with `Retry-After: 60`
 * (the error's code and message, and the audit entry, are the caller's). `key`: by account, or
 * by address when not given.
 */
export function auditedRateLimit(
  audit: AuditLog,
  opts: {
    limit: number;
    key?: (req: Request) => string;
    code: string;
    message: string;
    entry: (req: Request) => Omit<AuditInput, 'actor' | 'role' | 'ip' | 'outcome'>;
  },
): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(opts.key ? { keyGenerator: opts.key } : {}),
    handler: (req, res, next) => {
      audit.record({ ...actorOf(req), ...opts.entry(req), outcome: 'denied' });
      res.set('Retry-After', '60');
      next(new HttpError(429, opts.code, opts.message, { retryAfterS: 60 }));
    },
  });
}

/**
 * Whether a browser's `Origin` is this server itself: the same host (and port) as the request's
 * `Host`. The scheme is not compared: behind a proxy that ends TLS the server sees http while the
 * page is https. Used by the HTTP CORS guard and the Socket.IO handshake alike.
 */
export function isOwnOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
