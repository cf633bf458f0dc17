// Information security on the console (issue 15): the summary behind the security tile, asked for every
// SECURITY_POLL_MS by operators and admins only (a leader's console never asks: the server would refuse it,
// and audit the refusal). One request in flight; the last answer stays with its time when one fails.
import { effect, signal } from '@preact/signals';
import type { SecuritySummary } from '#contract/securityVocab.ts';
import { session } from '../shared/session.ts';
import { ApiRequestError, api } from './api.ts';
import { conn } from './store.ts';

export const SECURITY_POLL_MS = 30_000;

export interface SecurityState {
  data: SecuritySummary | null;
  fetchedAt: number;
  failure: 'forbidden' | 'error' | null;
}

export const security = signal<SecurityState>({ data: null, fetchedAt: 0, failure: null });

/** Whether this account sees security data: operators and admins. */
export const maySeeSecurity = (): boolean => {
  const role = session.value?.user.role;
  return role === 'operator' || role === 'admin';
};

/** Starts polling the summary once the session says the account may see it; the returned function stops it. */
export function startSecurity(): () => void {
  let inFlight: AbortController | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  const load = () => {
    if (inFlight || !maySeeSecurity()) return;
    const ac = new AbortController();
    inFlight = ac;
    api
      .securitySummary(ac.signal)
      .then((data) => {
        security.value = { data, fetchedAt: Date.now(), failure: null };
      })
      .catch((err: unknown) => {
        if (ac.signal.aborted) return;
        const failure = err instanceof ApiRequestError && err.status === 403 ? 'forbidden' : 'error';
        security.value = { ...security.value, failure };
      })
      .finally(() => {
        if (inFlight === ac) inFlight = null;
      });
  };
  let was = conn.value;
  const stopEffect = effect(() => {
    const ok = maySeeSecurity();
    const s = conn.value;
    if (ok && !timer) {
      timer = setInterval(load, SECURITY_POLL_MS);
      load();
    } else if (ok && s === 'live' && was !== 'live') load();
    was = s;
  });
  return () => {
    if (timer) clearInterval(timer);
    stopEffect();
    inFlight?.abort();
  };
}
