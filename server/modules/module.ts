import type { CityModel } from '#contract/assets.ts';
import type { Bus } from '../bus.ts';
import type { CityState } from '../domain/cityState.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';

/** The core services every module may use, handed to `start` by the composition root. */
export interface ModuleDeps {
  bus: Bus;
  db: Db;
  /** the city the IOC runs */
  city: () => CityModel;
  /** the latest state per asset, as the live view shows it */
  state: CityState;
  log: Logger;
}

/**
 * A part of the IOC that owns its wiring: what it subscribes to on the bus (under its own key, so that
 * `bus.removeAll(name)` takes all of it back), its timers and what it opened. The composition root
 * (server/main.ts) starts the modules in order once the core services are up, handing each the core
 * services, and stops them in reverse before those services stop. What is particular to a module (its
 * settings, a repository of its own) is given to the function that makes it.
 */
export interface IocModule {
  /** the module's name: its bus key and what the stop log says */
  readonly name: string;
  start(deps: ModuleDeps): Promise<void> | void;
  /** undoes start: unsubscribes, clears timers, closes what it opened */
  stop(): Promise<void> | void;
}
