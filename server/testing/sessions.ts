// Test support: log in to a running IOC as a role, through its real login endpoint.

import type { Role } from '#contract/auth.ts';
import { generatePassword } from '../auth/secrets.ts';
import { COOKIE } from '../auth/sessions.ts';
import type { RunningIoc } from '../main.ts';

export interface TestSession {
  username: string;
  password: string;
  userId: string;
  /** the `Cookie` header value the server set */
  cookie: string;
  /** fetch that sends the session cookie; a relative URL is on the IOC */
  fetch: typeof fetch;
}

let n = 0;

/** A new account with this role, logged in with POST /api/auth/login. */
export async function loginAs(
  ioc: Pick<RunningIoc, 'httpUrl' | 'users'>,
  role: Role,
  name = `t-${role}-${++n}-${Date.now().toString(36)}`,
): Promise<TestSession> {
  const password = generatePassword();
  const { user } = await ioc.users.create({ username: name, displayName: `Test ${role}`, role, password });
  const cookie = await login(ioc.httpUrl, name, password);
  return { username: name, password, userId: user.id, cookie, fetch: fetchWith(ioc.httpUrl, cookie) };
}

/**
 * A new account with this role and a session of its own, made by the session store as a login makes
 * it, without the login endpoint: many consoles (a benchmark's 50) would pass its per-address cap of 30
 * a minute. The cookie is the one a login sets.
 */
export async function sessionAs(
  ioc: Pick<RunningIoc, 'users' | 'sessions'>,
  role: Role,
  name = `t-${role}-${++n}-${Date.now().toString(36)}`,
): Promise<{ username: string; cookie: string }> {
  await ioc.users.create({ username: name, displayName: `Test ${role}`, role });
  const user = await ioc.users.byUsername(name);
  if (!user) throw new Error(`account ${name} was not stored`);
  const { token } = await ioc.sessions.create(user, { userAgent: 'ioc-bench' });
  return { username: name, cookie: `${COOKIE}=${token}` };
}

/** Logs in and answers the Cookie header to send afterwards; throws on any answer but 200. */
export async function login(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
  const set = res.headers.getSetCookie().find((c) => c.startsWith('ioc_session='));
  if (!set) throw new Error('login answered 200 without a session cookie');
  return set.split(';')[0] as string;
}

export function fetchWith(httpUrl: string, cookie: string): typeof fetch {
  return (input, init = {}) => {
    const url = typeof input === 'string' && input.startsWith('/') ? `${httpUrl}${input}` : input;
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    return fetch(url, { ...init, headers });
  };
}
