import type { Health } from '#contract/api.ts';
import type { IocModule, ModuleDeps } from './module.ts';

/** A database slow to answer health's query still counts as up while ingest committed this recently. */
const HEALTH_BUSY_GRACE_MS = 15_000;

/**
 * `/api/health`'s answer. The database is up when it answers, or, while it is busy (a maintenance step
 * holds the embedded one), when ingest committed a batch lately and its writes are not failing: a slow
 * answer alone is no outage. A refused call, or silence with no recent commit, is.
 */
export function healthModule(o: {
  ingest: { readonly failing: boolean };
  mqttConnected: () => boolean;
  /** when the IOC started (uptime) */
  started: number;
}): IocModule & { check(): Promise<Health> } {
  const name = 'health';
  let lastCommit = 0;
  let deps: Pick<ModuleDeps, 'bus' | 'db'> | undefined;
  return {
    name,
    start(d) {
      deps = d;
      d.bus.on('ingest:stored', name, () => {
        lastCommit = Date.now();
      });
    },
    stop() {
      deps?.bus.removeAll(name);
    },
    async check() {
      // before start there is no database to ask: not up yet
      const db = deps?.db;
      const answer = await Promise.race([
        (db ? db.query('SELECT 1') : Promise.reject(new Error('not started'))).then(
          () => 'ok' as const,
          () => 'down' as const,
        ),
        new Promise<'slow'>((r) => setTimeout(() => r('slow'), 2000).unref()),
      ]);
      const dbOk =
        answer === 'ok' ||
        (answer === 'slow' && !o.ingest.failing && Date.now() - lastCommit < HEALTH_BUSY_GRACE_MS);
      const mqttOk = o.mqttConnected();
      return {
        status: dbOk && mqttOk ? 'ok' : 'degraded',
        db: dbOk ? 'ok' : 'down',
        mqtt: mqttOk ? 'ok' : 'down',
        uptimeS: Math.round((Date.now() - o.started) / 1000),
      };
    },
  };
}
