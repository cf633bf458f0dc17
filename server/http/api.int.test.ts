import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AlarmBulkAckSchema } from '#contract/alarms.ts';
import type { Health, HealthDraft } from '#contract/api.ts';
import { API_RULES } from '../auth/policy.ts';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: object;
      }
    >
  >;
}

/** An access-table pattern as an OpenAPI path pattern: `:id` → `{…}`, a trailing `/*` → anything below. */
function ruleMatcher(path: string): RegExp {
  const rest = path.endsWith('/*');
  const base = (rest ? path.slice(0, -2) : path)
    .split('/')
    .map((s) => (s.startsWith(':') ? '\\{[^/]+\\}' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${base}${rest ? '/.+' : ''}$`);
}

// what is checked here does not depend on the database or broker: the embedded set-up only
describe.each(iocSetups().slice(0, 1))('the HTTP API on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let admin: TestSession;
  let field: TestSession;
  let doc: OpenApi;

  beforeAll(async () => {
    ({ ioc, dispose } = await setup.start());
    admin = await loginAs(ioc, 'admin');
    field = await loginAs(ioc, 'field');
    const res = await fetch(`${ioc.httpUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenApi;
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('describes every route of the access table in OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: p })),
    );
    const missing = API_RULES.filter((rule) => {
      const re = ruleMatcher(rule.path);
      return !ops.some((o) => (rule.method === '*' || o.method === rule.method) && re.test(o.path));
    }).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    // each {parameter} of a path is declared
    for (const [p, methods] of Object.entries(doc.paths))
      for (const op of Object.values(methods))
        for (const [, name] of p.matchAll(/\{([^}]+)\}/g))
          expect(
            op.parameters?.some((x) => x.in === 'path' && x.name === name),
            `${p} {${name}}`,
          ).toBe(true);
  });

  it('is valid OpenAPI 3.1 by a validator of the specification (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it("takes the bodies and queries from the routes' zod schemas", () => {
    const ack = doc.paths['/api/alarms/acknowledge']?.post;
    expect(ack?.requestBody?.content['application/json']?.schema).toEqual(
      z.toJSONSchema(AlarmBulkAckSchema, { io: 'input', unrepresentable: 'any' }),
    );
    const rejects = doc.paths['/api/ingest/rejects']?.get;
    expect(rejects?.parameters?.map((x) => x.name).sort()).toEqual(['limit', 'reason']);
    expect(doc.paths['/api/dashboard/summary']?.get?.parameters?.map((x) => x.name)).toContain('from');
  });

  it('answers /api/health as before, and in the health-check draft format when asked', async () => {
    const plain = await fetch(`${ioc.httpUrl}/api/health`);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    const h = (await plain.json()) as Health;
    expect(h).toMatchObject({ status: 'ok', db: 'ok', mqtt: 'ok' });
    expect(typeof h.uptimeS).toBe('number');

    const draft = await fetch(`${ioc.httpUrl}/api/health`, {
      headers: { accept: 'application/health+json' },
    });
    expect(draft.status).toBe(200);
    expect(draft.headers.get('content-type')).toMatch(/^application\/health\+json/);
    const d = (await draft.json()) as HealthDraft;
    expect(d.status).toMatch(/^(pass|warn)$/);
    expect(d).toMatchObject({ db: 'ok', mqtt: 'ok' });
    expect(d.checks['database:responseTime']?.[0]).toMatchObject({
      componentType: 'datastore',
      observedUnit: 'ms',
    });
    expect(d.checks['mqtt:connected']?.[0]?.status).toBe('pass');
  });

  it('answers an unknown /api path 404 to a logged-in user, a wrong method 405 with Allow, 401 with WWW-Authenticate', async () => {
    const unknown = await field.fetch('/api/not-a-route');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');

    const anonymous = await fetch(`${ioc.httpUrl}/api/not-a-route`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="ioc"');
    const expired = await fetch(`${ioc.httpUrl}/api/incidents`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer realm="ioc", error="invalid_token"$/);

    const del = await fetch(`${ioc.httpUrl}/api/health`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    // a path under a rule for every method, answered with other methods than asked
    const put = await admin.fetch('/api/admin/users', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await admin.fetch('/metrics', { method: 'POST' })).status).toBe(405);
  });

  it('behind a trusted TLS proxy: Secure cookie, HSTS, https URLs; over plain HTTP none of them', async () => {
    const creds = { username: admin.username, password: admin.password };
    const loginVia = (headers: Record<string, string>) =>
      fetch(`${ioc.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(creds),
      });
    // the test calls from 127.0.0.1: the default TRUST_PROXY (loopback) believes it
    const viaTls = await loginVia({ 'x-forwarded-proto': 'https' });
    expect(viaTls.status).toBe(200);
    expect(viaTls.headers.getSetCookie().join('\n')).toMatch(/ioc_session=[^;]+;.*Secure/i);
    expect(viaTls.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const discovery = await fetch(`${ioc.httpUrl}/open311/v2/discovery.json`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(await discovery.text()).toContain('"https://');

    const plain = await loginVia({});
    expect(plain.headers.getSetCookie().join('\n')).not.toMatch(/Secure/i);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });

  it('limits connect-src and font-src to what the pages use; X-Frame-Options and frame-ancestors agree', async () => {
    const res = await fetch(`${ioc.httpUrl}/api/health`);
    const csp = Object.fromEntries(
      (res.headers.get('content-security-policy') ?? '').split(';').map((d) => {
        const [k, ...v] = d.trim().split(/\s+/);
        return [k, v.join(' ')];
      }),
    );
    expect(csp['connect-src']).toBe("'self'");
    expect(csp['font-src']).toBe("'none'");
    expect(csp['frame-ancestors']).toBe("'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
