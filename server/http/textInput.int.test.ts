import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, ReportCreated } from '#contract/incidentsApi.ts';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

// Vietnamese free text over several lines, as an officer types it on a phone: kept exactly
const MULTILINE =
  'Ngập sâu 40 cm trước số 12 Nguyễn Huệ.\nXe máy chết máy giữa đường;\r\n\tcần hỗ trợ kéo xe.';
// what PostgreSQL refuses (NUL) and other controls a reader never wants; a lone surrogate only
// travels in JSON (a form's UTF-8 turns it into U+FFFD on the way)
const BAD = ['\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085'];
const BAD_JSON = [...BAD, '\ud800'];

describe.each(iocSetups())('control characters in HTTP input on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let at: { lat: number; lon: number };
  let op: TestSession;
  let admin: TestSession;

  const report = (f: Record<string, string | number>) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ id: randomUUID(), category: 'flooding', ...at, ...f }))
      fd.append(k, String(v));
    return op.fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', body: fd });
  };
  const json = (s: TestSession | undefined, method: string, path: string, body: unknown) =>
    (s?.fetch ?? fetch)(`${ioc.httpUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** The 400 of the contract, naming exactly these fields. */
  const refused = async (res: Response, fields: string[]) => {
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('invalid_field');
    expect(error.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort());
  };

  beforeAll(async () => {
    ({ ioc, dispose, errors } = await setup.start());
    op = await loginAs(ioc, 'operator');
    admin = await loginAs(ioc, 'admin');
    const cam = ioc.city.cameras[3];
    at = { lat: cam.lat, lon: cam.lon + 0.0004 };
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('refuses a field report with a control character, naming the field, and keeps multi-line Vietnamese intact', async () => {
    for (const c of BAD) await refused(await report({ description: `Ngập${c}nặng` }), ['description']);
    await refused(await report({ description: 'a\u0000b', reporter: 'Tổ 3\u0000' }), [
      'description',
      'reporter',
    ]);

    const res = await report({ description: MULTILINE, reporter: 'Tổ 3 — phường Lê Lợi' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as ReportCreated;
    const d = (await (await op.fetch(`${ioc.httpUrl}/api/incidents/${id}`)).json()) as IncidentDetail;
    // a form carries every line break as CRLF (the HTML rule FormData follows): stored as it came
    const sent = MULTILINE.replace(/\r?\n/g, '\r\n');
    expect(d.incident).toMatchObject({ description: sent, reporter: 'Tổ 3 — phường Lê Lợi' });
    expect(errors).toEqual([]);
  });

  it('refuses an incident note, assignee or merge note with a control character, and keeps a multi-line note', async () => {
    const { id } = (await (await report({})).json()) as ReportCreated;
    const path = `/api/incidents/${id}`;
    for (const c of BAD_JSON)
      await refused(await json(op, 'PATCH', path, { action: 'acknowledge', note: `đã xem${c}` }), ['note']);
    await refused(await json(op, 'PATCH', path, { action: 'assign', assignee: 'CSGT\u0000tổ 2' }), [
      'assignee',
    ]);
    await refused(await json(op, 'POST', `${path}/merge`, { ids: ['1'], note: '\u0000' }), ['note']);

    const ok = await json(op, 'PATCH', path, { action: 'acknowledge', note: MULTILINE });
    expect(ok.status).toBe(200);
    const d = (await (await op.fetch(`${ioc.httpUrl}${path}`)).json()) as IncidentDetail;
    expect(d.history.at(-1)).toMatchObject({ action: 'acknowledge', note: MULTILINE });
    expect(errors).toEqual([]);
  });

  it('answers an Open311 request with a control character in its GeoReport v2 error format, naming the field', async () => {
    const post = (f: Record<string, string>, asJson = false) =>
      fetch(`${ioc.httpUrl}/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': asJson ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: asJson
          ? JSON.stringify(f)
          : new URLSearchParams({ service_code: 'waste', lat: String(at.lat), long: String(at.lon), ...f }),
      });
    const base = { service_code: 'waste', lat: String(at.lat), long: String(at.lon) };
    for (const [field, value] of [
      ['description', 'Rác\u0000'],
      ['address_string', '12 Nguyễn Huệ\u0007'],
      ['first_name', 'Lan\u001b'],
      ['last_name', '\u0000'],
      ['email', 'lan@example.vn\u0000'],
      ['media_url', 'https://example.vn/a\u0000.jpg'],
    ] as const) {
      for (const asJson of [false, true]) {
        const res = await post({ ...base, [field]: value }, asJson);
        expect(res.status, `${field} (${asJson ? 'JSON' : 'form'})`).toBe(400);
        const body = (await res.json()) as Array<{ code: number; description: string }>;
        expect(body).toEqual([{ code: 400, description: expect.stringContaining(field) }]);
      }
    }
    const q = await fetch(`${ioc.httpUrl}/open311/v2/requests.json?service_request_id=1%00`);
    expect(q.status).toBe(400);
    expect(await q.json()).toEqual([
      { code: 400, description: expect.stringContaining('service_request_id') },
    ]);

    const ok = await post({ ...base, description: MULTILINE, first_name: 'Nguyễn Thị', last_name: 'Lan' });
    expect(ok.status).toBe(201);
    const [{ service_request_id }] = await ok.json();
    const [got] = await (await fetch(`${ioc.httpUrl}/open311/v2/requests/${service_request_id}.json`)).json();
    expect(got.description).toBe(MULTILINE);
    expect(errors).toEqual([]);
  });

  it('refuses admin users and devices with a control character in a name or id, and keeps Vietnamese names', async () => {
    const user = (b: Record<string, unknown>) =>
      json(admin, 'POST', '/api/admin/users', {
        username: `u-${Date.now().toString(36)}`,
        role: 'field',
        ...b,
      });
    await refused(await user({ displayName: 'Nguyễn\u0000Lan' }), ['displayName']);
    await refused(await user({ username: 'lan\u0000' }), ['username']);
    const made = await user({ displayName: 'Nguyễn Thị Lan' });
    expect(made.status).toBe(201);
    const { user: u } = await made.json();
    expect(u.displayName).toBe('Nguyễn Thị Lan');
    await refused(await json(admin, 'PATCH', `/api/admin/users/${u.id}`, { displayName: 'Lan\u0007' }), [
      'displayName',
    ]);

    const asset = ioc.city.segments[0].id;
    const device = (b: Record<string, unknown>) =>
      json(admin, 'POST', '/api/admin/devices', {
        id: `d-${Date.now().toString(36)}`,
        assets: [asset],
        ...b,
      });
    await refused(await device({ name: 'Cảm biến\u0000' }), ['name']);
    await refused(await device({ name: 'Cảm biến', assets: [`${asset}\u0000`] }), ['assets.0']);
    const dev = await device({ name: 'Cảm biến ngập Ngã 5 Đống Đa' });
    expect(dev.status).toBe(201);
    expect((await dev.json()).device).toMatchObject({ name: 'Cảm biến ngập Ngã 5 Đống Đa' });

    const audit = await admin.fetch(`${ioc.httpUrl}/api/admin/audit?actor=a%00b`);
    expect(audit.status).toBe(400);
    expect((await audit.json()).error).toMatchObject({ code: 'bad_query', details: [{ param: 'actor' }] });
    expect(errors).toEqual([]);
  });

  it('refuses a login whose username has a control character, naming the field, and still logs in the account', async () => {
    await refused(
      await json(undefined, 'POST', '/api/auth/login', {
        username: `${op.username}\u0000`,
        password: op.password,
      }),
      ['username'],
    );
    await refused(await json(undefined, 'POST', '/api/auth/login', { username: '\u001b', password: 'x' }), [
      'username',
    ]);
    const ok = await json(undefined, 'POST', '/api/auth/login', {
      username: op.username,
      password: op.password,
    });
    expect(ok.status).toBe(200);
    expect(errors).toEqual([]);
  });
});
