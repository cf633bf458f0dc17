import type { Health, HealthCheck, HealthDraft } from '#contract/api.ts';
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
  /**
   * the adapter's Redis, when there is one: since when it has been unreachable (undefined: reachable).
   * Its loss degrades, it does not fail: each instance still ingests and serves its own browsers, and a
   * balancer that took out every instance at once for it would stop the whole IOC.
   */
  redisDownSince?: () => number | undefined;
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
      const t0 = performance.now();
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
      const ms = Math.round(performance.now() - t0);
      const mqttOk = o.mqttConnected();
      const time = new Date().toISOString();
      const uptimeS = Math.round((Date.now() - o.started) / 1000);
      const dbCheck: HealthCheck = {
        componentType: 'datastore',
        // slow but committing lately: up, with a concern
        status: answer === 'ok' ? 'pass' : dbOk ? 'warn' : 'fail',
        observedValue: ms,
        observedUnit: 'ms',
        ...(answer === 'ok' ? {} : { output: answer === 'slow' ? 'no answer within 2 s' : 'unreachable' }),
        time,
      };
      const redisDown = o.redisDownSince?.();
      const redis: Pick<Health, 'redis' | 'checks'> = o.redisDownSince
        ? {
            redis: redisDown === undefined ? 'ok' : 'down',
            checks: {
              'redis:connected': [
                {
                  componentType: 'component',
                  status: redisDown === undefined ? 'pass' : 'warn',
                  observedValue: redisDown === undefined ? 1 : 0,
                  ...(redisDown === undefined
                    ? {}
                    : {
                        output: `unreachable since ${new Date(redisDown).toISOString()}: live changes of other instances wait for it`,
                      }),
                  time,
                },
              ],
            },
          }
        : {};
      return {
        status: dbOk && mqttOk ? 'ok' : 'degraded',
        db: dbOk ? 'ok' : 'down',
        mqtt: mqttOk ? 'ok' : 'down',
        ...(redis.redis ? { redis: redis.redis } : {}),
        uptimeS,
        checks: {
          'database:responseTime': [dbCheck],
          'mqtt:connected': [
            {
              componentType: 'component',
              status: mqttOk ? 'pass' : 'fail',
              observedValue: mqttOk ? 1 : 0,
              time,
            },
          ],
          ...redis.checks,
          'uptime:duration': [
            { componentType: 'system', status: 'pass', observedValue: uptimeS, observedUnit: 's', time },
          ],
        },
      };
    },
  };
}

/**
 * The health-check draft's form of an answer (draft-inadarei-api-health-check, `application/health+json`):
 * `fail` when a component fails, `warn` when one passes with a concern, else `pass`; today's fields kept.
 */
export function healthDraft(h: Health): HealthDraft {
  const checks = h.checks ?? {};
  const states = Object.values(checks).flatMap((list) => list.map((c) => c.status));
  const status =
    h.status !== 'ok' || states.includes('fail') ? 'fail' : states.includes('warn') ? 'warn' : 'pass';
  return {
    status,
    serviceId: 'ioc',
    description: 'Intelligent Operations Center: ingest, database, live map',
    db: h.db,
    mqtt: h.mqtt,
    ...(h.redis ? { redis: h.redis } : {}),
    uptimeS: h.uptimeS,
    checks,
  };
}
