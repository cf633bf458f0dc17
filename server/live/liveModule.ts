import { noChanges } from '../domain/cityState.ts';
import type { IocModule, ModuleDeps } from '../modules/module.ts';
import { LiveGateway, type LiveGatewayOptions } from './liveGateway.ts';
import { rateMeter } from './rateMeter.ts';

export interface LiveModuleOptions {
  /** the gateway's own settings (the HTTP server it attaches to, the adapter, auth, flush, log) */
  gateway: Omit<LiveGatewayOptions, 'state' | 'city' | 'stats' | 'onDrop'>;
}

/**
 * The live view: what is written (and what changes outside ingest) goes into the city state and out to
 * browsers through the Socket.IO gateway, with the ingest rates as its stats. It announces each change
 * set on the bus (`state:changed`, for the alert and alarm rules) and pushes the alerts and alarms that
 * come back.
 */
export function liveModule(o: LiveModuleOptions): IocModule & { clientCount(): number } {
  const name = 'live';
  let gateway: LiveGateway | undefined;
  let bus: ModuleDeps['bus'] | undefined;
  return {
    name,
    clientCount: () => gateway?.clientCount() ?? 0,
    start(deps) {
      const { state } = deps;
      const b = deps.bus;
      bus = b;
      const rates = rateMeter(b, name);
      const g = new LiveGateway({
        ...o.gateway,
        state,
        city: deps.city,
        stats: () => rates.sample(),
        onDrop: (reason) => b.emit('live:dropped', { reason }),
      });
      gateway = g;
      b.on('ingest:written', name, ({ batch, incidents }) => {
        const ch = state.apply(batch, incidents);
        g.push('traffic', ch.traffic);
        g.push('cameras', ch.cameras);
        g.push('incidents', ch.incidents);
        b.emit('state:changed', ch);
      });
      b.on('incidents:changed', name, (items) => {
        // reports from the field and Open311 raise the same alert as those from MQTT
        const newIncidents = items.filter((i) => !state.incidents.has(i.id));
        state.applyIncidents(items);
        g.push('incidents', items);
        b.emit('state:changed', { ...noChanges(), incidents: items, newIncidents });
      });
      b.on('alert', name, (a) => g.pushAlert(a));
      b.on('reports:changed', name, (e) => g.pushReport(e.ownerUserId, e.report));
      // the units module keeps state.units; this pushes what changed, and each task to its unit's phone
      b.on('units:changed', name, (items) => g.push('units', items));
      b.on('tasks:changed', name, ({ account, task }) => g.pushTask(account, task));
      // the alarm engine's changes, and those it read back from the database (other instances')
      b.on('alarms:changed', name, (items) => g.pushAlarms(items));
    },
    async stop() {
      bus?.removeAll(name);
      // Socket.IO ends the upgraded WebSockets that would otherwise keep the HTTP server open
      await gateway?.close();
    },
  };
}
