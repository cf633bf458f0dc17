import { signal } from '@preact/signals';
import type { SessionView } from '#contract/auth.ts';
import { LOGIN_PATH, loginUrl } from './authPaths.ts';

/** The signed-in user: `undefined` until asked, `null` when there is no session. */
export const session = signal<SessionView | null | undefined>(undefined);

/** The current session, or null when there is none (401); throws when the server cannot be reached. */
export async function fetchMe(): Promise<SessionView | null> {
  const r = await fetch('/api/auth/me', {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (r.status === 401) return null;
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return (await r.json()) as SessionView;
}

let loading: Promise<SessionView | null | undefined> | undefined;

/** Reads the session into `session` once per page (again with `force`); unreachable leaves it as it was. */
export function loadSession(force = false): Promise<SessionView | null | undefined> {
  if (!loading || force) {
    loading = fetchMe().then(
      (s) => {
        session.value = s;
        return s;
      },
      () => session.value,
    );
  }
  return loading;
}

let leaving = false;

/**
 * Ends the session on the server and opens the login page; false when the server could not be reached.
 * Meanwhile the page does not go to the login page as "expired" as well: the server ends the page's
 * socket at once, and a second navigation would abort this one.
 */
export async function logout(next?: string): Promise<boolean> {
  leaving = true;
  try {
    const r = await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    // 401: already gone, which is what was asked
    if (!r.ok && r.status !== 401) {
      leaving = false;
      return false;
    }
  } catch {
    leaving = false;
    return false;
  }
  session.value = null;
  location.assign(next ? loginUrl(next) : LOGIN_PATH);
  return true;
}

/** Opens the login page, asking it to bring the user back here afterwards. */
export function goToLogin(expired = true): void {
  if (leaving) return;
  leaving = true;
  location.assign(loginUrl(`${location.pathname}${location.search}${location.hash}`, expired));
}

let handler: () => void = () => goToLogin(true);

/**
 * What a page does when the server says its session is gone: by default it goes to the login
 * page; the field page instead keeps its form and outbox and shows a banner.
 */
export function setUnauthenticatedHandler(fn: () => void): void {
  handler = fn;
}

/** The session ended (expired, revoked, logged out elsewhere): the page's handler decides. */
export function onUnauthenticated(): void {
  handler();
}

/** `fetch` for the product's API: JSON accepted, the session cookie sent, any 401 handed to `onUnauthenticated`. */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  const r = await fetch(url, { credentials: 'same-origin', ...init, headers });
  if (r.status === 401) onUnauthenticated();
  return r;
}
