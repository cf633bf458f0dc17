import { describe, expect, it } from 'vitest';
import { Bus } from '../bus.ts';
import { healthDraft, healthModule } from './health.ts';
import type { ModuleDeps } from './module.ts';

/** The health answer with a database that answers (the check of it is not what this file is about). */
async function check(redisDownSince?: () => number | undefined) {
  const h = healthModule({
    ingest: { failing: false },
    mqttConnected: () => true,
    ...(redisDownSince ? { redisDownSince } : {}),
    started: Date.now(),
  });
  h.start({ bus: new Bus(), db: { query: async () => ({ rows: [] }) } } as unknown as ModuleDeps);
  return h.check();
}

describe('health: the adapter Redis', () => {
  it('says nothing of Redis where there is none (one instance)', async () => {
    const h = await check();
    expect(h.redis).toBeUndefined();
    expect(h.checks?.['redis:connected']).toBeUndefined();
  });

  it('reports Redis lost as a concern, not a failure: each instance still serves its own browsers', async () => {
    const since = Date.now() - 30_000;
    const h = await check(() => since);
    expect(h).toMatchObject({ status: 'ok', db: 'ok', mqtt: 'ok', redis: 'down' });
    expect(h.checks?.['redis:connected']?.[0]).toMatchObject({ status: 'warn', observedValue: 0 });
    expect(h.checks?.['redis:connected']?.[0]?.output).toContain(new Date(since).toISOString());
    expect(healthDraft(h)).toMatchObject({ status: 'warn', redis: 'down' });
  });

  it('passes once Redis is back', async () => {
    const h = await check(() => undefined);
    expect(h).toMatchObject({ status: 'ok', redis: 'ok' });
    expect(healthDraft(h).status).toBe('pass');
  });
});
