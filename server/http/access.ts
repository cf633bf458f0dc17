// The access table and the per-minute caps, applied to HTTP requests: the rules are server/auth's
// (policy.ts, guard.ts), the 401/403/429 answers and their audit entries are made here.
import type { Request, RequestHandler } from 'express';
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
