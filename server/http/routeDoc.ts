import type { RequestHandler } from 'express';
import type { z } from 'zod';

/** What a route takes and answers, beyond its path and method. */
export interface OperationDoc {
  summary?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** the body is a form with files (multipart/form-data) rather than JSON */
  multipart?: boolean;
  /** the answer's JSON, when a schema of it exists */
  response?: z.ZodType;
  /** the answer is not JSON: its media type */
  produces?: string;
}

/** A route handler that carries its description (for routes made by a helper, e.g. the dashboard's). */
export function documented<H extends RequestHandler>(doc: OperationDoc, handler: H): H {
  return Object.assign(handler, { openapi: doc });
}
