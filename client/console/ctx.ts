import type { LiveClient } from '../live/liveClient.ts';
import type { LiveState } from '../live/liveState.ts';
import type { MapCity } from '../map/city.ts';
import type { MapView } from '../map/mapView.ts';

/** What the console's components read: built once at start-up, never replaced. */
export interface ConsoleCtx {
  city: MapCity;
  state: LiveState;
  live: LiveClient;
  view: MapView;
}

let current: ConsoleCtx | undefined;

export function setCtx(c: ConsoleCtx): void {
  current = c;
}

export function ctx(): ConsoleCtx {
  if (!current) throw new Error('console not started');
  return current;
}
