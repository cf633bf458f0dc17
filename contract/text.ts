import { z } from 'zod';

/**
 * Strings of the contract, on every channel (MQTT, HTTP, CSV): free of the characters that no
 * reader wants and that PostgreSQL refuses (U+0000 fails a whole write: "invalid byte sequence").
 *
 * - `text(max)`: free text (descriptions, notes, names). Tab, line feed and carriage return are
 *   kept; every other C0 control, DEL, the C1 controls and lone UTF-16 surrogates are refused.
 * - `token(max)`: identifiers (message ids, asset ids, usernames): no control characters at all.
 */
// Lone UTF-16 surrogates (no valid UTF-8), then the controls of each kind, as regular-expression sources.
const LONE_SURROGATE = String.raw`[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]`;
const TEXT_CONTROL = String.raw`[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]`;
const ANY_CONTROL = String.raw`[\u0000-\u001f\u007f-\u009f]`;
const FREE_TEXT_BAD = new RegExp(`${TEXT_CONTROL}|${LONE_SURROGATE}`);
const TOKEN_BAD = new RegExp(`${ANY_CONTROL}|${LONE_SURROGATE}`);

/** true when `s` holds a character that free text may not (see `text`). */
export const hasBadTextChars = (s: string): boolean => FREE_TEXT_BAD.test(s);
/** true when `s` holds a character that an identifier may not (see `token`). */
export const hasBadTokenChars = (s: string): boolean => TOKEN_BAD.test(s);

export const CONTROL_CHARS_MESSAGE = 'must not contain control characters';

/** Free text of at most `max` characters, without control characters (tab and newlines allowed). */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasBadTextChars(s), CONTROL_CHARS_MESSAGE);

/** An identifier of 1..`max` characters, without any control character. */
export const token = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !hasBadTokenChars(s), CONTROL_CHARS_MESSAGE);

const ESCAPED = new RegExp(FREE_TEXT_BAD.source, 'g');

/**
 * `s` with the characters `text` refuses written as `\uXXXX`: for logging what was refused (the reject
 * log keeps the payload as received, readable, and storable).
 */
export const escapeControls = (s: string): string =>
  s.replace(ESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
