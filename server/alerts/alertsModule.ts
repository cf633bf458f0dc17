import type { CityModel } from '#contract/assets.ts';
import type { Bus } from '../bus.ts';
import type { IocModule } from '../modules/module.ts';
import { evaluateAlerts } from './alertRules.ts';

/** The alert rules over each change of the live state; what fires goes out on the bus as `alert`. */
export function alertsModule(o: { bus: Bus; city: () => CityModel }): IocModule {
  const name = 'alerts';
  // when each alert (kind + asset) last fired: the rules' cooldown memory
  const lastFired = new Map<string, number>();
  return {
    name,
    start() {
      o.bus.on('state:changed', name, (ch) => {
        for (const a of evaluateAlerts(ch, o.city(), Date.now(), lastFired)) o.bus.emit('alert', a);
      });
    },
    stop() {
      o.bus.removeAll(name);
    },
  };
}
