// The access table and the per-minute caps, applied to HTTP requests: the rules are server/auth's
// (policy.ts, guard.ts), the 401/403/429 answers and their audit entries are made here.
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { actorOf, bearer } from '../auth/guard.ts';
import { allows, ruleFor } from '../auth/policy.ts';
import { sameSecret } from '../auth/secrets.ts';
import type { AuditInput, AuditLog } from '../domain/audit.ts';
import { HttpError } from './errors.ts';

/**
 * Applies the access table (server/auth/policy.ts) to /api, /metrics and /open311 before any
 * router: 401 without a session, 403 for a role the rule does not name, each refusal audited.
 */
export function enforcePolicy(
  audit: AuditLog,
  opts: {
    metricsToken?: string;
    /** the methods the app answers on a path: a request in none of them is answered 405 (none at all: 404) */
    methodsFor?: (path: string) => string[];
  } = {},
): RequestHandler {
  return (req, res, next) => {
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
    // a path the app answers, with another method: 405 to anyone (the API description is public)
    const methods = rule ? undefined : opts.methodsFor?.(p);
    if (methods?.length && !answers(methods, req.method)) return next(methodNotAllowed(res, methods, req));
    // a path the app does not answer: 404 to a logged-in user (401 without a session, as before)
    if (methods && methods.length === 0 && req.auth)
      return next(new HttpError(404, 'not_found', `no such resource: ${req.method} ${p}`));
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

const answers = (methods: string[], method: string) => methods.includes(method === 'HEAD' ? 'GET' : method);

/** 405 with the `Allow` header of the methods a path answers. */
function methodNotAllowed(res: Response, methods: string[], req: Request): HttpError {
  const allow = [...new Set(methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])))].sort();
  res.set('Allow', allow.join(', '));
  return new HttpError(405, 'method_not_allowed', `${req.method} is not answered on ${req.path}`, {
    allow,
  });
}

/** After the routers: 405 (with `Allow`) for a path answered with other methods, else 404. */
export function routeNotFound(methodsFor: (path: string) => string[]): RequestHandler {
  return (req, res, next) => {
    const methods = methodsFor(req.originalUrl.split('?')[0] as string);
    if (methods.length && !answers(methods, req.method)) return next(methodNotAllowed(res, methods, req));
    next(new HttpError(404, 'not_found', `no such resource: ${req.method} ${req.originalUrl.split('?')[0]}`));
  };
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
