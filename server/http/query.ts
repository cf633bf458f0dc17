import { z } from 'zod';
import { localDateStart } from '#contract/cityTime.ts';
import { CONTROL_CHARS_MESSAGE, hasBadTokenChars, text, token } from '#contract/text.ts';
import { HttpError } from './errors.ts';

/** A time in a query string: ISO-8601 or epoch milliseconds. */
export const QueryTime = z.union([
  z
    .string()
    .regex(/^\d{10,16}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.iso.date().transform(localDateStart),
]);

/** Free text of a JSON body, trimmed first: `min`..`max` characters, no control characters but tab and newlines. */
export const trimmedText = (max: number, min = 0) => z.string().trim().min(min).pipe(text(max));
/** A name or id of a JSON body, trimmed first: 1..`max` characters, no control characters. */
export const trimmedToken = (max: number) => z.string().trim().pipe(token(max));

/** A query-string filter: at most `max` characters (empty: no filter), no control characters. */
export const queryToken = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasBadTokenChars(s), CONTROL_CHARS_MESSAGE);

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
