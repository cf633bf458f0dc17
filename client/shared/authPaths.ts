import { PAGE_ROLES, type Role } from '#contract/auth.ts';

/** The login page's address. */
export const LOGIN_PATH = '/login';

/** The page a path belongs to (`/report/` → `/report`), or null when it is no page of the product. */
export function pageOf(pathname: string): string | null {
  const p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return Object.hasOwn(PAGE_ROLES, p) ? p : null;
}

/** Whether a role may open a page of the product. */
export function mayOpen(page: string, role: Role): boolean {
  const p = pageOf(page);
  return p !== null && PAGE_ROLES[p].includes(role);
}

/**
 * Where to go after logging in: `next` when it is a path on this site that the role may open
 * (with its query, e.g. the dashboard's period), else the role's home. Anything else, another
 * origin (`//evil.example`, `https://…`), `/\evil`, the login page itself, is ignored.
 */
export function afterLogin(next: string | null | undefined, role: Role, home: string): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return home;
  let url: URL;
  try {
    url = new URL(next, 'http://ioc.invalid');
  } catch {
    return home;
  }
  if (url.origin !== 'http://ioc.invalid') return home;
  if (!mayOpen(url.pathname, role)) return home;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page, asked to come back to `next` afterwards; `expired` shows why the user is there. */
export function loginUrl(next?: string, expired = false): string {
  const q = new URLSearchParams();
  if (next && !next.startsWith(LOGIN_PATH)) q.set('next', next);
  if (expired) q.set('expired', '1');
  const s = q.toString();
  return s ? `${LOGIN_PATH}?${s}` : LOGIN_PATH;
}

/** The pages a role may open, in the order the menu lists them. */
export function pagesFor(role: Role): string[] {
  return Object.keys(PAGE_ROLES).filter((p) => PAGE_ROLES[p].includes(role));
}

/**
 * Whether a Socket.IO `connect_error` (or a server's disconnect reason) says the session is gone:
 * the server's middleware refuses with `new Error('unauthenticated')`, possibly with
 * `data: { code: 'unauthenticated' }`.
 */
export function isUnauthenticated(err: unknown): boolean {
  if (!err || typeof err !== 'object') return err === 'unauthenticated';
  const e = err as { message?: unknown; data?: unknown };
  if (e.message === 'unauthenticated') return true;
  const data = e.data as { code?: unknown } | undefined;
  return !!data && typeof data === 'object' && data.code === 'unauthenticated';
}
