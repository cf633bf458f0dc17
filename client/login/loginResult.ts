import type { SessionView } from '#contract/auth.ts';
import type { Lang } from '../i18n/format.ts';
import { translate } from '../i18n/format.ts';

/** What one login attempt came to, as the page shows it. */
export type LoginResult =
  | { kind: 'ok'; session: SessionView }
  | { kind: 'badCredentials' }
  | { kind: 'tooMany'; retryAfterS: number }
  | { kind: 'missing' }
  | { kind: 'server'; status: number }
  | { kind: 'unreachable' };

/** How long to wait when the server says "too many" without saying how long. */
const DEFAULT_RETRY_S = 60;

/**
 * Reads the answer to `POST /api/auth/login`: the status and error code decide, never the
 * server's English message. `status` 0 is a network failure. The wait comes from the body's
 * `details.retryAfterS`, else the Retry-After header (seconds).
 */
export function readLoginAnswer(status: number, body: unknown, retryAfter: string | null): LoginResult {
  if (status === 0) return { kind: 'unreachable' };
  if (status === 200 && body && typeof body === 'object' && 'user' in body)
    return { kind: 'ok', session: body as SessionView };
  const err = (body as { error?: { code?: unknown; details?: { retryAfterS?: unknown } } } | undefined)
    ?.error;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (status === 429 || code === 'too_many_attempts') {
    const fromBody = Number(err?.details?.retryAfterS);
    const fromHeader = Number(retryAfter);
    const s = Number.isFinite(fromBody) && fromBody > 0 ? fromBody : fromHeader;
    return { kind: 'tooMany', retryAfterS: Number.isFinite(s) && s > 0 ? Math.ceil(s) : DEFAULT_RETRY_S };
  }
  if (status === 401 || code === 'bad_credentials') return { kind: 'badCredentials' };
  if (status === 400) return { kind: 'missing' };
  // a proxy's page in front of a stopped server, or the server's own failure
  if (status === 502 || status === 503 || status === 504) return { kind: 'unreachable' };
  return { kind: 'server', status };
}

/** A wait in words that counts down well: "4 phút 05 giây", "45 giây". */
export function formatWait(lang: Lang, seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return translate(lang, 'login.countdownSec', { s });
  return translate(lang, 'login.countdownMin', {
    m: Math.floor(s / 60),
    s: String(s % 60).padStart(2, '0'),
  });
}
