import mqtt from 'mqtt';
import { publishAll } from './publisher.ts';
import type { Simulation } from './simulation.ts';

/** Publishes a simulation's messages to a broker in real time, one tick a second, at QoS 1. */
export function runSimulationLive(o: {
  url: string;
  sim: Pick<Simulation, 'tick'>;
  clientId: string;
  /** the device the simulators publish as, where the broker checks logins */
  username?: string;
  password?: string;
  tickMs?: number;
  log: { warn(obj: object, msg: string): void };
}): { stop(): Promise<void> } {
  const pub = mqtt.connect(o.url, {
    clientId: o.clientId,
    clean: true,
    reconnectPeriod: 1000,
    ...(o.username ? { username: o.username, password: o.password } : {}),
  });
  pub.on('connect', () => (pub.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true));
  pub.on('error', (err) => o.log.warn({ err: err.message }, 'simulator MQTT error'));
  let busy = false;
  const timer = setInterval(() => {
    // a tick that is still publishing (slow broker) is not piled on; the next tick catches up
    if (busy || !pub.connected) return;
    busy = true;
    publishAll(pub, o.sim.tick(Date.now()))
      .catch((err: unknown) => o.log.warn({ err }, 'simulator publish failed'))
      .finally(() => {
        busy = false;
      });
  }, o.tickMs ?? 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await new Promise<void>((r) => pub.end(false, {}, () => r()));
    },
  };
}
