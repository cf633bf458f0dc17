import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiError } from '#contract/api.ts';

/** An error with an HTTP status and a stable code that the client can show in its language. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no such resource: ${req.method} ${req.path}`));
};

/** Turns every error into the contract's JSON body; never leaks a stack trace or SQL. */
export function errorHandler(log: { error(obj: object, msg: string): void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status = 500;
    let body: ApiError = { error: { code: 'internal', message: 'internal error' } };
    if (err instanceof HttpError) {
      status = err.status;
      body = {
        error: {
          code: err.code,
          message: err.message,
          ...(err.details !== undefined ? { details: err.details } : {}),
        },
      };
    } else if (err?.type === 'entity.too.large') {
      status = 413;
      body = { error: { code: 'too_large', message: 'request body too large' } };
    } else if (err?.type === 'entity.parse.failed') {
      status = 400;
      body = { error: { code: 'bad_json', message: 'request body is not valid JSON' } };
    } else {
      log.error({ err, method: req.method, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    // RFC 9110: a 401 names how to authenticate (a session token as Bearer, or the login cookie)
    if (status === 401 && !res.get('WWW-Authenticate'))
      res.set('WWW-Authenticate', `Bearer realm="ioc"${req.authFailure ? ', error="invalid_token"' : ''}`);
    res.status(status).json(body);
  };
}
