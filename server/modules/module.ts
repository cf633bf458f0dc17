/**
 * A part of the IOC that owns its wiring: what it subscribes to on the bus (under its own key, so that
 * `bus.removeAll(name)` takes all of it back), its timers and what it opened. The composition root
 * (server/main.ts) starts the modules in order once the core services are up, and stops them in
 * reverse before those services stop.
 */
export interface IocModule {
  /** the module's name: its bus key and what the stop log says */
  readonly name: string;
  start(): Promise<void> | void;
  /** undoes start: unsubscribes, clears timers, closes what it opened */
  stop(): Promise<void> | void;
}
