import type { IocModule, ModuleDeps } from '../modules/module.ts';
import { evaluateAlerts } from './alertRules.ts';

/** The alert rules over each change of the live state; what fires goes out on the bus as `alert`. */
export function alertsModule(): IocModule {
  const name = 'alerts';
  // when each alert (kind + asset) last fired: the rules' cooldown memory
  const lastFired = new Map<string, number>();
  let bus: ModuleDeps['bus'] | undefined;
  return {
    name,
    start(deps) {
      const b = deps.bus;
      bus = b;
      b.on('state:changed', name, (ch) => {
        for (const a of evaluateAlerts(ch, deps.city(), Date.now(), lastFired)) b.emit('alert', a);
      });
    },
    stop() {
      bus?.removeAll(name);
    },
  };
}
