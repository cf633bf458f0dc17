import type { MessageKey } from '../i18n/messages.ts';
import type { ServerError } from './outbox.ts';

/** The parts of the form an error can be shown next to. */
export type FormField = 'category' | 'position' | 'description' | 'photos' | 'severity' | 'reporter' | 'form';

export interface FieldError {
  key: MessageKey;
  /** the server's own words, shown small under ours */
  detail?: string;
}

const BY_CODE: Record<string, [FormField, MessageKey]> = {
  missing_position: ['position', 'field.err.missing_position'],
  out_of_area: ['position', 'field.err.out_of_area'],
  photo_too_large: ['photos', 'field.err.photo_too_large'],
  unsupported_photo_type: ['photos', 'field.err.unsupported_photo_type'],
  too_many_photos: ['photos', 'field.err.too_many_photos'],
};

const BY_FIELD: Record<string, [FormField, MessageKey]> = {
  category: ['category', 'field.err.category'],
  lat: ['position', 'field.err.position'],
  lon: ['position', 'field.err.position'],
  position: ['position', 'field.err.position'],
  description: ['description', 'field.err.description'],
  severity: ['severity', 'field.err.severity'],
  reporter: ['reporter', 'field.err.reporter'],
  photo: ['photos', 'field.err.photo'],
  photos: ['photos', 'field.err.photo'],
};

/**
 * Places a server error next to the fields it names, in the reporter's language: the code
 * picks the sentence, the server's message is kept as detail. Anything unplaced goes to `form`.
 */
export function fieldErrors(err: ServerError): Partial<Record<FormField, FieldError>> {
  const out: Partial<Record<FormField, FieldError>> = {};
  const byCode = BY_CODE[err.code];
  if (byCode) out[byCode[0]] = { key: byCode[1], detail: err.message };
  for (const d of err.details ?? []) {
    const f = BY_FIELD[d.field.replace(/\[\d+\]$/, '')];
    if (f && !out[f[0]])
      out[f[0]] = { key: byCode && byCode[0] === f[0] ? byCode[1] : f[1], detail: d.message };
  }
  if (Object.keys(out).length === 0) out.form = { key: 'field.err.generic', detail: err.message };
  return out;
}

/** The banner of an outbox waiting for a login: what to say, with how many reports, and which button. */
export function authBanner(
  reason: 'unauthenticated' | 'forbidden',
  waiting: number,
): { key: MessageKey; n: number; action: 'login' | 'switch' } {
  if (reason === 'forbidden')
    return {
      key:
        waiting === 0
          ? 'field.auth.forbiddenNone'
          : waiting === 1
            ? 'field.auth.forbiddenOne'
            : 'field.auth.forbidden',
      n: waiting,
      action: 'switch',
    };
  return {
    key:
      waiting === 0
        ? 'field.auth.expiredNone'
        : waiting === 1
          ? 'field.auth.expiredOne'
          : 'field.auth.expired',
    n: waiting,
    action: 'login',
  };
}
