import { describe, expect, it } from 'vitest';

describe('metrics for Prometheus', () => {
  it('lets a scraper with the configured bearer token read /metrics, and no one else without a session', async () => {
    const { default: express } = await import('express');
    const { enforcePolicy } = await import('./access.ts');
    const { errorHandler } = await import('./errors.ts');
    const denied: string[] = [];
    const audit = {
      record: (e: { action: string }) => denied.push(e.action),
      flush: async () => {},
      list: async () => [],
    };
    const app = express();
    app.use(enforcePolicy(audit, { metricsToken: 'scrape-token-0123456789' }));
    app.get('/metrics', (_req, res) => void res.send('ioc_up 1'));
    app.use(errorHandler({ error: () => {} }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/metrics`;
    try {
      const ok = await fetch(url, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect([ok.status, await ok.text()]).toEqual([200, 'ioc_up 1']);
      expect(
        (await fetch(url, { headers: { authorization: 'Bearer scrape-token-9876543210' } })).status,
      ).toBe(401);
      expect((await fetch(url)).status).toBe(401);
      expect(denied).toEqual(['http.denied', 'http.denied']);
    } finally {
      server.close();
    }
  });
});
