import { describe, expect, it } from 'vitest';
import { noFormula } from './adminRouter.ts';
import { neutralize } from './audit.ts';
import { isOwnOrigin } from './guard.ts';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { allows, ruleFor } from './policy.ts';
import { LoginThrottle } from './throttle.ts';

describe('passwords', () => {
  it('hashes with argon2id, verifies the right password only', async () => {
    const h = await hashPassword('cầu Thị Nại 2026');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'cầu Thị Nại 2026')).toBe(true);
    expect(await verifyPassword(h, 'cầu Thị Nại 2025')).toBe(false);
    expect(await verifyPassword(undefined, 'anything')).toBe(false);
  });
  it('generates unambiguous random passwords and refuses weak chosen ones', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(generatePassword()).not.toBe(a);
    expect(passwordProblem('short', 'bob')).toMatch(/at least 10/);
    expect(passwordProblem('bob-is-my-name-1', 'bob')).toMatch(/username/);
    expect(passwordProblem('một câu dài dễ nhớ', 'bob')).toBeUndefined();
  });
});

describe('access table', () => {
  it('names the rule of each route and refuses what it does not name', () => {
    expect(ruleFor('GET', '/api/health')?.access).toBe('public');
    expect(allows(ruleFor('PATCH', '/api/incidents/42')!.access, 'operator')).toBe(true);
    expect(allows(ruleFor('PATCH', '/api/incidents/42')!.access, 'leader')).toBe(false);
    expect(allows(ruleFor('GET', '/api/dashboard/summary')!.access, 'field')).toBe(false);
    expect(allows(ruleFor('GET', '/api/photos/abc/thumb')!.access, 'field')).toBe(true);
    expect(allows(ruleFor('POST', '/api/admin/users')!.access, 'operator')).toBe(false);
    expect(ruleFor('GET', '/api/something-new')).toBeUndefined();
    expect(ruleFor('DELETE', '/api/incidents/42')).toBeUndefined();
    // a path that only starts like a rule's does not match it
    expect(ruleFor('GET', '/api/healthz')).toBeUndefined();
  });
});

describe('login throttle', () => {
  it('locks after the free failures, doubling, and forgets after success', () => {
    let t = 0;
    const th = new LoginThrottle({ free: 5, baseLockMs: 30_000, windowMs: 900_000, now: () => t });
    for (let i = 0; i < 4; i++) th.fail('bob');
    expect(th.retryAfterMs('bob')).toBe(0);
    th.fail('bob');
    expect(th.retryAfterMs('bob')).toBe(30_000);
    t += 30_000;
    expect(th.retryAfterMs('bob')).toBe(0);
    th.fail('bob');
    expect(th.retryAfterMs('bob')).toBe(60_000);
    th.succeed('bob');
    expect(th.retryAfterMs('bob')).toBe(0);
    expect(th.retryAfterMs('alice')).toBe(0);
  });
});

describe('log safety', () => {
  it('makes newlines and escapes in names visible instead of forging lines', () => {
    expect(neutralize('bob\n2026-11-23 admin login ok')).toBe('bob\\n2026-11-23 admin login ok');
    expect(neutralize('x\u001b[31mred\r')).toBe('x\\u001b[31mred\\r');
    expect(neutralize('a'.repeat(300))).toHaveLength(201);
  });
  it('keeps a spreadsheet from running a cell as a formula', () => {
    expect(noFormula('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    expect(noFormula('nguyen.van.a')).toBe('nguyen.van.a');
  });
});

describe('metrics for Prometheus', () => {
  it('lets a scraper with the configured bearer token read /metrics, and no one else without a session', async () => {
    const { default: express } = await import('express');
    const { enforcePolicy } = await import('./guard.ts');
    const { errorHandler } = await import('../http/errors.ts');
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

describe('same-origin check (CORS guard and Socket.IO handshake)', () => {
  it('takes a page from this host and port as its own, whatever the scheme, and nothing else', () => {
    expect(isOwnOrigin('http://ioc.example.vn:8080', 'ioc.example.vn:8080')).toBe(true);
    // TLS ended by a proxy: the page is https, the server sees http
    expect(isOwnOrigin('https://ioc.example.vn', 'ioc.example.vn')).toBe(true);
    expect(isOwnOrigin('https://ioc.example.vn', 'IOC.example.vn')).toBe(true);
    expect(isOwnOrigin('http://ioc.example.vn:9090', 'ioc.example.vn:8080')).toBe(false);
    expect(isOwnOrigin('https://ioc.example.vn.evil.test', 'ioc.example.vn')).toBe(false);
    expect(isOwnOrigin('null', 'ioc.example.vn')).toBe(false);
    expect(isOwnOrigin('http://ioc.example.vn', undefined)).toBe(false);
  });
});
