// The province row's figures: asked for every TILES_POLL_MS and again as soon as the live connection
// comes back (the figures may have moved while it was away). One request in flight; the last answer stays
// on screen with its own ages when a request fails, and the row says it is not updating.
import { effect, signal } from '@preact/signals';
import type { ServiceTilesResponse } from '#contract/servicesApi.ts';
import { ApiRequestError, api } from './api.ts';
import { TILES_POLL_MS } from './services.ts';
import { conn } from './store.ts';

export interface ProvinceTiles {
  /** the last answer; null until one came */
  data: ServiceTilesResponse | null;
  /** browser time of the last answer */
  fetchedAt: number;
  /** the last request failed: `forbidden` (403, this account may not see them) or `error` */
  failure: 'forbidden' | 'error' | null;
}

export const provinceTiles = signal<ProvinceTiles>({ data: null, fetchedAt: 0, failure: null });

/** Starts polling the tiles; the returned function stops it. */
export function startProvinceTiles(): () => void {
  let inFlight: AbortController | null = null;
  const load = () => {
    if (inFlight) return;
    const ac = new AbortController();
    inFlight = ac;
    api
      .serviceTiles(ac.signal)
      .then((data) => {
        provinceTiles.value = { data, fetchedAt: Date.now(), failure: null };
      })
      .catch((err: unknown) => {
        if (ac.signal.aborted) return;
        const failure = err instanceof ApiRequestError && err.status === 403 ? 'forbidden' : 'error';
        provinceTiles.value = { ...provinceTiles.value, failure };
      })
      .finally(() => {
        if (inFlight === ac) inFlight = null;
      });
  };
  const timer = setInterval(load, TILES_POLL_MS);
  let was = conn.value;
  // the first run loads at once; later, each return to live loads again
  const stopEffect = effect(() => {
    const s = conn.value;
    if (s === 'live' && was !== 'live') load();
    was = s;
  });
  load();
  return () => {
    clearInterval(timer);
    stopEffect();
    inFlight?.abort();
  };
}
