import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HOME, PAGE_ROLES, type Role } from '#contract/auth.ts';
import type { AuditInput } from '../domain/audit.ts';
import type { AuthContext, SessionCheck } from '../domain/session.ts';
import { COOKIE, type Sessions } from './sessions.ts';

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
export function bearer(authorization: string | undefined): string | undefined {
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
