import { z } from 'zod';
import { HttpError } from './errors.ts';

/** A time in a query string: ISO-8601 or epoch milliseconds. */
export const QueryTime = z.union([
  z
    .string()
    .regex(/^\d{10,16}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.iso.date().transform((s) => Date.parse(`${s}T00:00:00+07:00`)),
]);

/** Parses a query string with a schema, or answers 400 naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const r = schema.safeParse(query);
  if (!r.success) {
    throw new HttpError(
      400,
      'bad_query',
      r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
      r.error.issues.map((i) => ({ param: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}

/**
 * Parses a JSON body with a schema, or answers 400 `invalid_field` naming each bad field (the same
 * answer as a field report's bad field).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    throw new HttpError(
      400,
      'invalid_field',
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      r.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })),
    );
  }
  return r.data;
}
