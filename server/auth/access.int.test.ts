import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView, Role, SessionView } from '#contract/auth.ts';
import type { ReportCreated } from '#contract/incidentsApi.ts';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '#contract/live.ts';
import { LAYERS } from '#contract/vocab.ts';
import type { RunningIoc } from '../main.ts';
import { eventually, iocSetups } from '../testing/iocHarness.ts';
import { fetchWith, login, loginAs, type TestSession } from '../testing/sessions.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Who = Role | 'anonymous';
const WHO: Who[] = ['admin', 'operator', 'field', 'leader', 'anonymous'];

/**
 * Who may call what, written out by hand from issue 6 (not derived from the access table, so a
 * wrong change to the table fails here).
 */
const MATRIX: Array<{ method: string; path: string; body?: unknown; allowed: Who[] }> = [
  { method: 'GET', path: '/api/health', allowed: WHO },
  { method: 'GET', path: '/open311/v2/services.json', allowed: WHO },
  { method: 'GET', path: '/api/city', allowed: ['admin', 'operator', 'field', 'leader'] },
  { method: 'GET', path: '/api/layers/traffic', allowed: ['admin', 'operator', 'leader'] },
  { method: 'GET', path: '/api/layers/incidents', allowed: ['admin', 'operator', 'leader'] },
  { method: 'GET', path: '/api/incidents', allowed: ['admin', 'operator', 'leader'] },
  { method: 'GET', path: '/api/ingest/rejects', allowed: ['admin', 'operator'] },
  {
    method: 'PATCH',
    path: '/api/incidents/999999999',
    body: { action: 'acknowledge' },
    allowed: ['admin', 'operator'],
  },
  {
    method: 'POST',
    path: '/api/incidents/999999999/merge',
    body: { ids: ['1'] },
    allowed: ['admin', 'operator'],
  },
  { method: 'POST', path: '/api/reports', body: {}, allowed: ['admin', 'operator', 'field'] },
  { method: 'GET', path: `/api/reports/status?ids=${randomUUID()}`, allowed: ['admin', 'operator', 'field'] },
  { method: 'GET', path: '/api/dashboard/summary', allowed: ['admin', 'operator', 'leader'] },
  // alarms (issue 13): leaders read, operators and admins act, admins set the rules
  { method: 'GET', path: '/api/alarms', allowed: ['admin', 'operator', 'leader'] },
  { method: 'GET', path: '/api/alarms/999999999/history', allowed: ['admin', 'operator', 'leader'] },
  {
    method: 'POST',
    path: '/api/alarms/999999999/actions',
    body: { action: 'acknowledge' },
    allowed: ['admin', 'operator'],
  },
  {
    method: 'POST',
    path: '/api/alarms/acknowledge',
    body: { ids: ['999999999'] },
    allowed: ['admin', 'operator'],
  },
  { method: 'GET', path: '/api/admin/alarm-rules', allowed: ['admin'] },
  { method: 'PUT', path: '/api/admin/alarm-rules/road_jam', body: {}, allowed: ['admin'] },
  { method: 'GET', path: '/api/admin/out-of-service', allowed: ['admin'] },
  { method: 'DELETE', path: '/api/admin/out-of-service/none', allowed: ['admin'] },
  // the indicator feed (issue 14): the console's and dashboard's roles read, admins manage and import
  { method: 'GET', path: '/api/indicators', allowed: ['admin', 'operator', 'leader'] },
  { method: 'GET', path: '/api/indicators/cpi/series', allowed: ['admin', 'operator', 'leader'] },
  { method: 'GET', path: '/api/admin/indicators', allowed: ['admin'] },
  { method: 'PATCH', path: '/api/admin/indicators/cpi', body: {}, allowed: ['admin'] },
  { method: 'POST', path: '/api/admin/indicators/import', body: {}, allowed: ['admin'] },
  { method: 'GET', path: '/api/admin/indicator-sources', allowed: ['admin'] },
  { method: 'DELETE', path: '/api/admin/indicator-sources/none/key', allowed: ['admin'] },
  { method: 'PUT', path: '/api/admin/agencies/none', body: {}, allowed: ['admin'] },
  { method: 'PUT', path: '/api/admin/indicator-labels/topic/none', body: {}, allowed: ['admin'] },
  { method: 'GET', path: '/api/admin/users', allowed: ['admin'] },
  { method: 'POST', path: '/api/admin/users', body: {}, allowed: ['admin'] },
  { method: 'GET', path: '/api/admin/audit', allowed: ['admin'] },
  { method: 'GET', path: '/metrics', allowed: ['admin'] },
  // a route nobody named: 401 without a session, 404 to anyone logged in (server/http/api.int.test.ts)
];

function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#36c' } })
    .jpeg()
    .toBuffer();
}

describe.each(iocSetups())('accounts, roles and guards on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  const as = {} as Record<Role, TestSession>;
  const sockets: Client[] = [];
  let at: { lat: number; lon: number };

  const call = (who: Who, method: string, path: string, body?: unknown) =>
    (who === 'anonymous' ? fetch : as[who].fetch)(`${ioc.httpUrl}${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
  const connect = (cookie?: string, extra: Record<string, string> = {}): Client => {
    const s: Client = connectSocket(ioc.httpUrl, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { ...(cookie ? { cookie } : {}), ...extra },
    });
    sockets.push(s);
    return s;
  };
  const connected = (s: Client) =>
    new Promise<{ ok: true } | { ok: false; message: string; data?: unknown }>((resolve) => {
      s.once('connect', () => resolve({ ok: true }));
      s.once('connect_error', (e) =>
        resolve({ ok: false, message: e.message, data: (e as Error & { data?: unknown }).data }),
      );
    });
  const audit = async (q: string) => {
    const res = await as.admin.fetch(`${ioc.httpUrl}/api/admin/audit?${q}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: AuditEntryView[] }).items;
  };
  const report = async (who: TestSession): Promise<ReportCreated> => {
    const fd = new FormData();
    fd.append('id', randomUUID());
    fd.append('category', 'waste');
    fd.append('lat', String(at.lat));
    fd.append('lon', String(at.lon));
    fd.append('photo', new Blob([new Uint8Array(await jpeg())], { type: 'image/jpeg' }), 'rac.jpg');
    const res = await who.fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', body: fd });
    expect(res.status).toBe(201);
    return (await res.json()) as ReportCreated;
  };

  beforeAll(async () => {
    ({ ioc, dispose } = await setup.start());
    for (const r of ['admin', 'operator', 'field', 'leader'] as const) as[r] = await loginAs(ioc, r);
    const cam = ioc.city.cameras[7];
    at = { lat: cam.lat, lon: cam.lon + 0.0002 };
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await dispose?.();
  });

  it('lets each role call exactly the routes of its role (401 without a session, 403 with the wrong role)', async () => {
    const wrong: string[] = [];
    for (const row of MATRIX)
      for (const who of WHO) {
        const res = await call(who, row.method, row.path, row.body);
        const allowed = row.allowed.includes(who);
        const want = allowed ? 'allowed' : who === 'anonymous' ? 401 : 403;
        const got = res.status === 401 || res.status === 403 ? res.status : 'allowed';
        if (got !== want) wrong.push(`${who} ${row.method} ${row.path}: ${res.status}, expected ${want}`);
        if (!allowed) {
          const body = await res.json();
          expect(body.error.code).toBe(who === 'anonymous' ? 'unauthenticated' : 'forbidden');
        } else await res.body?.cancel();
      }
    expect(wrong).toEqual([]);
  });

  it('lets only console roles subscribe to live layers, and no one without a session', async () => {
    for (const who of WHO) {
      const s = connect(who === 'anonymous' ? undefined : as[who].cookie);
      const c = await connected(s);
      if (who === 'anonymous') {
        expect(c).toMatchObject({ ok: false, message: 'unauthenticated', data: { code: 'unauthenticated' } });
        continue;
      }
      expect(c.ok, who).toBe(true);
      for (const layer of LAYERS) {
        const ack: SubscribeAck = await s.timeout(5000).emitWithAck('subscribe', { layers: [layer] });
        const mayView = who !== 'field';
        expect(ack.ok, `${who} subscribes to ${layer}`).toBe(mayView);
        if (!ack.ok) expect(ack.error.code).toBe('forbidden');
      }
      s.disconnect();
    }
    const denied = await audit('action=socket.denied');
    expect(denied.some((e) => e.actor === as.field.username && e.target?.startsWith('subscribe'))).toBe(true);
  });

  it("shows a field user their own reports and photos, never another's", async () => {
    const other = await loginAs(ioc, 'field');
    const mine = await report(as.field);
    const theirs = await report(other);
    const photoOf = (r: ReportCreated) => r.photos[0]?.url as string;
    expect((await as.field.fetch(`${ioc.httpUrl}${photoOf(mine)}`)).status).toBe(200);
    const peek = await as.field.fetch(`${ioc.httpUrl}${photoOf(theirs)}`);
    expect(peek.status).toBe(404);
    expect((await as.field.fetch(`${ioc.httpUrl}${photoOf(theirs)}/thumb`)).status).toBe(404);
    // operators see every photo
    expect((await as.operator.fetch(`${ioc.httpUrl}${photoOf(theirs)}`)).status).toBe(200);

    const status = async (s: TestSession, ids: string[]) => {
      const res = await s.fetch(`${ioc.httpUrl}/api/reports/status?ids=${ids.join(',')}`);
      return ((await res.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id);
    };
    // the phones' own report ids (client ids) are what the status asks by
    const detail = async (id: string) =>
      (await (await as.operator.fetch(`${ioc.httpUrl}/api/incidents/${id}`)).json()) as {
        incident: { id: string; reporter?: string };
      };
    // the operators see who sent it: the account's name, not just "field"
    expect((await detail(mine.id)).incident).toMatchObject({ id: mine.id, reporter: 'Test field' });
    const rows = await ioc.db.query<{ id: string; msg_id: string }>(
      'SELECT id::text AS id, msg_id FROM incidents WHERE id = ANY($1::bigint[])',
      [[mine.id, theirs.id]],
    );
    const clientId = (id: string) => rows.rows.find((r) => r.id === id)?.msg_id as string;
    expect(await status(as.field, [clientId(mine.id), clientId(theirs.id)])).toEqual([mine.id]);
    expect((await status(as.operator, [clientId(mine.id), clientId(theirs.id)])).sort()).toEqual(
      [mine.id, theirs.id].sort(),
    );
  });

  it('ends a session at logout: the cookie stops working', async () => {
    const s = await loginAs(ioc, 'leader');
    expect((await s.fetch(`${ioc.httpUrl}/api/auth/me`)).status).toBe(200);
    const out = await s.fetch(`${ioc.httpUrl}/api/auth/logout`, { method: 'POST' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/ioc_session=;/);
    const after = await s.fetch(`${ioc.httpUrl}/api/dashboard/summary`);
    expect(after.status).toBe(401);
    expect((await after.json()).error).toMatchObject({
      code: 'unauthenticated',
      details: { reason: 'revoked' },
    });
  });

  it("drops a disabled user's open socket and refuses the account afterwards", async () => {
    const op = await loginAs(ioc, 'operator');
    const s = connect(op.cookie);
    expect((await connected(s)).ok).toBe(true);
    expect((await s.timeout(5000).emitWithAck('subscribe', { layers: ['traffic'] })).ok).toBe(true);
    const ended = new Promise<string>((resolve) => s.once('session_ended', (e) => resolve(e.reason)));
    const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const res = await as.admin.fetch(`${ioc.httpUrl}/api/admin/users/${op.userId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).user.disabled).toBe(true);
    expect(await ended).toBe('revoked');
    expect(await gone).toBe('io server disconnect');
    expect((await op.fetch(`${ioc.httpUrl}/api/layers/traffic`)).status).toBe(401);
    const again = await fetch(`${ioc.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: op.username, password: op.password }),
    });
    expect(again.status).toBe(401);
    const [entry] = await audit(`action=user.disable&actor=${as.admin.username}`);
    expect(entry).toMatchObject({ target: op.username, outcome: 'ok', details: { sessionsEnded: 1 } });
  });

  it('lets an admin make a user whose generated password works once shown, and reset it', async () => {
    const name = `ca-truc-${Date.now().toString(36)}`;
    const made = await as.admin.fetch(`${ioc.httpUrl}/api/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, displayName: 'Ca trực đêm', role: 'operator' }),
    });
    expect(made.status).toBe(201);
    const { user, password } = (await made.json()) as { user: { id: string }; password: string };
    expect(password).toMatch(/^\S{16}$/);
    const cookie = await login(ioc.httpUrl, name, password);
    const me = (await (await fetchWith(ioc.httpUrl, cookie)('/api/auth/me')).json()) as SessionView;
    expect(me).toMatchObject({ user: { username: name, role: 'operator' }, home: '/' });
    const listed = (await (await as.admin.fetch(`${ioc.httpUrl}/api/admin/users`)).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(listed.items.find((u) => u.username === name)).not.toHaveProperty('passwordHash');
    const reset = await as.admin.fetch(`${ioc.httpUrl}/api/admin/users/${user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resetPassword: true }),
    });
    const { password: fresh } = (await reset.json()) as { password: string };
    expect(fresh).not.toBe(password);
    // the old session ended with the reset; the old password no longer works; the new one does
    expect((await fetchWith(ioc.httpUrl, cookie)('/api/auth/me')).status).toBe(401);
    await expect(login(ioc.httpUrl, name, password)).rejects.toThrow(/401/);
    await login(ioc.httpUrl, name, fresh);
    // a wrong field is named, as everywhere in the API
    const wrong = await as.admin.fetch(`${ioc.httpUrl}/api/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `x-${Date.now().toString(36)}`, displayName: 'X', role: 'mayor' }),
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toMatchObject({
      code: 'invalid_field',
      details: [{ field: 'role', message: expect.any(String) }],
    });
  });

  it('audits logins, refusals and incident actions, in UTC, with injected newlines neutralised, and exports CSV', async () => {
    const forged = `ghost\n${new Date().toISOString()} admin auth.login ok`;
    const bad = await fetch(`${ioc.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.1.2.3' },
      body: JSON.stringify({ username: forged, password: 'wrong-password' }),
    });
    // no account has a control character in its name: refused, and kept in the log neutralised
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({
      code: 'invalid_field',
      details: [{ field: 'username' }],
    });
    const failed = await audit('action=auth.login&outcome=failed');
    const entry = failed.find((e) => e.actor?.startsWith('ghost'));
    expect(entry?.actor).toBe(forged.replace('\n', '\\n'));
    expect(entry?.ip).toBe('10.1.2.3');
    const oks = await audit(`action=auth.login&outcome=ok&actor=${as.operator.username}`);
    expect(oks).toHaveLength(1);

    const r = await report(as.field);
    const ack = await as.operator.fetch(`${ioc.httpUrl}/api/incidents/${r.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'acknowledge' }),
    });
    expect(ack.status).toBe(200);
    expect(await audit(`action=incident.acknowledge&actor=${as.operator.username}`)).toMatchObject([
      { target: r.id, outcome: 'ok', role: 'operator' },
    ]);
    expect(await audit(`action=report.create&actor=${as.field.username}`)).not.toHaveLength(0);
    const denied = await audit('action=http.denied');
    expect(denied.some((e) => e.actor === as.leader.username && e.target === 'GET /api/ingest/rejects')).toBe(
      true,
    );

    const csv = await as.admin.fetch(`${ioc.httpUrl}/api/admin/audit?action=auth.login&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const raw = new Uint8Array(await csv.arrayBuffer());
    // a byte-order mark, so a spreadsheet reads Vietnamese names right
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(raw).trim().split('\r\n');
    expect(lines[0]).toBe('time_utc,actor,role,action,target,outcome,ip,details');
    // one record per line: the forged newline did not make a second one
    expect(lines.filter((l) => l.includes('ghost'))).toHaveLength(1);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,/);
  });

  it('puts security headers on pages, API answers, errors and photos alike', async () => {
    const r = await report(as.field);
    const responses = [
      await fetch(`${ioc.httpUrl}/api/health`),
      await fetch(`${ioc.httpUrl}/api/layers/traffic`),
      await as.operator.fetch(`${ioc.httpUrl}/api/layers/traffic`),
      await as.operator.fetch(`${ioc.httpUrl}/api/nope`),
      await as.operator.fetch(`${ioc.httpUrl}${r.photos[0]?.url}`),
      await fetch(`${ioc.httpUrl}/`, { redirect: 'manual' }),
      await fetch(`${ioc.httpUrl}/login`),
    ];
    for (const res of responses) {
      const h = res.headers;
      const where = `${res.url} ${res.status}`;
      expect(h.get('x-content-type-options'), where).toBe('nosniff');
      expect(h.get('content-security-policy'), where).toMatch(/frame-ancestors 'none'|default-src 'none'/);
      expect(h.get('referrer-policy'), where).toBe('no-referrer');
      expect(h.get('x-powered-by'), where).toBeNull();
      await res.body?.cancel();
    }
  });

  it('answers errors without stack traces or SQL', async () => {
    const broken = await fetch(`${ioc.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": "admin", "password": ',
    });
    expect(broken.status).toBe(400);
    const text = await broken.text();
    expect(JSON.parse(text).error.code).toBe('bad_json');
    expect(text).not.toMatch(/\bat .+:\d+:\d+|node_modules|SELECT|INSERT/);
    const sqlish = await as.operator.fetch(`${ioc.httpUrl}/api/incidents/1';DROP TABLE users;--`);
    expect(sqlish.status).toBe(404);
    expect(await sqlish.text()).not.toMatch(/syntax|SELECT|postgres|pglite/i);
  });

  it('refuses calls and sockets from a foreign site, and oversized bodies', async () => {
    const evil = 'http://evil.example';
    const post = await as.operator.fetch(`${ioc.httpUrl}/api/incidents/1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', origin: evil },
      body: JSON.stringify({ action: 'acknowledge' }),
    });
    expect(post.status).toBe(403);
    expect((await post.json()).error.code).toBe('bad_origin');
    const read = await as.operator.fetch(`${ioc.httpUrl}/api/layers/traffic`, { headers: { origin: evil } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    await read.body?.cancel();

    const s = connect(as.operator.cookie, { origin: evil });
    expect(await connected(s)).toMatchObject({ ok: false });

    const big = await as.operator.fetch(`${ioc.httpUrl}/api/incidents/1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'acknowledge', note: 'x'.repeat(300_000) }),
    });
    expect(big.status).toBe(413);
  });

  // last: it locks this test's address and account for a while
  it('throttles an account after repeated bad passwords, even for the right one', async () => {
    const victim = await loginAs(ioc, 'operator');
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': '10.66.0.1' };
    const attempt = (password: string) =>
      fetch(`${ioc.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ username: victim.username, password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await attempt(`guess-${i}-wrong`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const right = await attempt(victim.password);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await right.json()).error).toMatchObject({
      code: 'too_many_attempts',
      details: { retryAfterS: expect.any(Number) },
    });
    // the account's open session is not affected
    expect((await victim.fetch(`${ioc.httpUrl}/api/auth/me`)).status).toBe(200);
    await eventually(async () => (await audit('action=auth.login&outcome=denied')).length > 0, 3000, 'audit');
  });

  it('caps uploads per account and Open311 per address at a minute, audited, with Retry-After', async () => {
    const post = (who: TestSession | null, path: string) =>
      (who ? who.fetch : fetch)(`${ioc.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    const phone = await loginAs(ioc, 'field'); // an account of its own: a fresh quota
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await post(phone, '/api/reports')).status);
    // refused as a bad report (no category, no position) 60 times, then capped
    expect(statuses.every((s) => s === 400)).toBe(true);
    const capped = await post(phone, '/api/reports');
    expect(capped.status).toBe(429);
    expect(capped.headers.get('retry-after')).toBe('60');
    expect((await capped.json()).error).toMatchObject({ code: 'rate_limited', details: { retryAfterS: 60 } });
    // another account is not affected
    expect((await post(as.operator, '/api/reports')).status).toBe(400);
    await eventually(
      async () =>
        (await audit(`action=http.rate_limited&actor=${phone.username}`)).some(
          (e) => e.target === 'POST /api/reports' && e.outcome === 'denied',
        ),
      3000,
      'rate limit audited',
    );

    const open311: number[] = [];
    for (let i = 0; i < 21; i++) open311.push((await post(null, '/open311/v2/requests.json')).status);
    expect(open311.slice(0, 20).every((s) => s !== 429)).toBe(true);
    expect(open311[20]).toBe(429);
  });
});
