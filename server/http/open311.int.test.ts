import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '#contract/auth.ts';
import type { UnplacedReport } from '#contract/incidentsApi.ts';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';
import { leaves, parseXml } from '../testing/xmlTree.ts';

// What an outside citizen app or a 311 aggregator meets: a page on another site (CORS), the spec's
// default format (XML), its filters, a report with an address only, a photo upload.
describe.each(iocSetups())('Open311 GeoReport v2 for outside apps on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let base: string;
  let at: { lat: string; long: string };
  let operator: TestSession;
  const SITE = 'https://citizen-app.example.org';

  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}/requests.json`, { method: 'POST', headers, body: new URLSearchParams(fields) });
  const created = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as Array<{ service_request_id: string; token?: string }>)[0];
  };
  const xml = async (path: string) => {
    const res = await fetch(`${base}/${path}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    return { status: res.status, root: parseXml(await res.text()) };
  };

  beforeAll(async () => {
    ({ ioc, dispose, errors } = await setup.start());
    base = `${ioc.httpUrl}/open311/v2`;
    const cam = ioc.city.cameras[3];
    at = { lat: String(cam.lat), long: String(cam.lon + 0.0002) };
    operator = await loginAs(ioc, 'operator');
  });
  afterAll(async () => {
    await dispose?.();
  });

  it("answers another site's page: a preflight, a GET and a POST with Access-Control-Allow-Origin *, no credentials", async () => {
    const pre = await fetch(`${base}/requests.json`, {
      method: 'OPTIONS',
      headers: {
        origin: SITE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();

    const get = await fetch(`${base}/services.json`, { headers: { origin: SITE } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('*');

    // an operator logged in here visits the other site: their session plays no part in its report
    const c = await created(
      await post(
        { service_code: 'waste', ...at, description: 'Rác đổ trộm', first_name: 'Lê', last_name: 'C' },
        { origin: SITE, cookie: operator.cookie },
      ),
    );
    const d = await (await operator.fetch(`${ioc.httpUrl}/api/incidents/${c.service_request_id}`)).json();
    expect(d.incident).toMatchObject({ source: 'open311', reporter: 'Lê C' });
    const audit = await ioc.db.query<{ actor: string | null }>(
      "SELECT actor FROM audit_log WHERE action = 'report.create' AND target = $1",
      [c.service_request_id],
    );
    expect(audit.rows.map((r) => r.actor)).not.toContain(operator.username);

    // the rest of the API still refuses another site's state-changing calls
    const api = await fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', headers: { origin: SITE } });
    expect(api.status).toBe(403);
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves XML, the default format: discovery, services, a service definition, requests, errors', async () => {
    const disc = await xml('discovery.xml');
    expect(disc.root.name).toBe('discovery');
    const endpoint = disc.root.children.find((c) => c.name === 'endpoints')!.children[0];
    expect(leaves(endpoint)).toMatchObject({ url: base, type: 'production' });
    expect(endpoint.children.find((c) => c.name === 'formats')!.children.map((f) => f.text)).toEqual([
      'text/xml',
      'application/json',
    ]);

    const services = await xml('services.xml');
    expect(services.root.name).toBe('services');
    const json = (await (await fetch(`${base}/services.json`)).json()) as Array<Record<string, unknown>>;
    expect(services.root.children.map((s) => leaves(s))).toEqual(
      json.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)]))),
    );

    expect(await (await fetch(`${base}/services/flooding.json`)).json()).toEqual({
      service_code: 'flooding',
      attributes: [],
    });
    const def = await xml('services/flooding.xml');
    expect(def.root.name).toBe('service_definition');
    expect(def.root.children.map((c) => [c.name, c.text])).toEqual([
      ['service_code', 'flooding'],
      ['attributes', ''],
    ]);
    expect((await fetch(`${base}/services/ufo.json`)).status).toBe(404);

    // text that would break XML if written as is
    const c = await created(
      await post({ service_code: 'lighting', ...at, description: 'Đèn <tắt> & "hỏng" từ 19h' }),
    );
    const one = await xml(`requests/${c.service_request_id}.xml`);
    expect(one.root.name).toBe('service_requests');
    expect(one.root.children).toHaveLength(1);
    expect(leaves(one.root.children[0])).toMatchObject({
      service_request_id: c.service_request_id,
      service_code: 'lighting',
      description: 'Đèn <tắt> & "hỏng" từ 19h',
      status: 'open',
      lat: at.lat,
      media_url: '',
    });
    const list = await xml(`requests.xml?service_code=lighting`);
    expect(list.root.children.map((r) => leaves(r).service_request_id)).toContain(c.service_request_id);

    const missing = await xml('requests/999999999.xml');
    expect(missing.status).toBe(404);
    expect(missing.root.name).toBe('errors');
    expect(leaves(missing.root.children[0])).toMatchObject({ code: '404' });

    // a POST in XML too
    const px = await fetch(`${base}/requests.xml`, {
      method: 'POST',
      body: new URLSearchParams({ service_code: 'waste', ...at }),
    });
    expect(px.status).toBe(201);
    const [req] = parseXml(await px.text()).children;
    expect(leaves(req).service_request_id).toMatch(/^\d+$/);
    expect((await fetch(`${base}/requests.csv`)).status).toBe(400);
  });

  it('lets service_request_id override every other filter', async () => {
    const a = await created(await post({ service_code: 'environment', ...at }));
    const b = await created(await post({ service_code: 'fire', ...at }));
    const got = (await (
      await fetch(
        `${base}/requests.json?service_request_id=${a.service_request_id},${b.service_request_id}&status=closed&service_code=waste&start_date=2001-01-01T00:00:00Z&end_date=2001-01-02T00:00:00Z`,
      )
    ).json()) as Array<{ service_request_id: string }>;
    expect(got.map((x) => x.service_request_id).sort()).toEqual(
      [a.service_request_id, b.service_request_id].sort(),
    );
  });

  it('takes a photo in a multipart `media` field and serves it to the public; gives no URL for a camera snapshot', async () => {
    const jpeg = await sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } },
    })
      .jpeg()
      .toBuffer();
    const fd = new FormData();
    for (const [k, v] of Object.entries({ service_code: 'infrastructure', ...at, description: 'Ổ gà' }))
      fd.append(k, v);
    fd.append('media', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'o-ga.jpg');
    const c = await created(await fetch(`${base}/requests.json`, { method: 'POST', body: fd }));
    const [one] = await (await fetch(`${base}/requests/${c.service_request_id}.json`)).json();
    expect(one.media_url).toMatch(new RegExp(`^${base}/media/[0-9a-f-]{36}\\.jpg$`));
    const media = await fetch(one.media_url, { headers: { origin: SITE } });
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/jpeg');
    expect(media.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await sharp(Buffer.from(await media.arrayBuffer())).metadata()).width).toBe(64);

    const bad = new FormData();
    for (const [k, v] of Object.entries({ service_code: 'infrastructure', ...at })) bad.append(k, v);
    bad.append('media', new Blob(['not a photo'], { type: 'image/jpeg' }), 'x.jpg');
    const refused = await fetch(`${base}/requests.json`, { method: 'POST', body: bad });
    expect(refused.status).toBe(400);
    expect((await refused.json())[0].description).toMatch(/^media: /);

    // a camera's detection with the city's snapshot URL, which answers 401 to the public
    const cam = ioc.city.cameras[4];
    await ioc.ingest.accept(
      `ioc/camera/${cam.id}/event`,
      JSON.stringify({
        ts: Date.now(),
        kind: 'accident',
        confidence: 0.95,
        snapshotUrl: `/api/cameras/${cam.id}/snapshot`,
      }),
    );
    const { rows } = await ioc.db.query<{ id: string }>(
      "SELECT id::text AS id FROM incidents WHERE source = 'camera' AND camera_id = $1 ORDER BY id DESC LIMIT 1",
      [cam.id],
    );
    const [camReq] = await (await fetch(`${base}/requests/${rows[0].id}.json`)).json();
    expect(camReq.media_url).toBeNull();
  });

  it('keeps a report given with an address only, unplaced, until an operator places it on the map', async () => {
    const res = await post({
      service_code: 'flooding',
      address_string: '25 Trần Phú, phường 4',
      description: 'Nước ngập nửa bánh xe',
    });
    expect(res.status).toBe(201);
    const [kept] = (await res.json()) as Array<{ token: string; service_request_id?: string }>;
    expect(kept.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept.service_request_id).toBeUndefined();
    expect(await (await fetch(`${base}/tokens/${kept.token}.json`)).json()).toEqual([
      { service_request_id: null, token: kept.token },
    ]);
    const byId = await created(await post({ service_code: 'waste', address_id: 'TP-0042' }));
    expect(byId.token).toMatch(/^[0-9a-f-]{36}$/);

    const waiting = (await (await operator.fetch(`${ioc.httpUrl}/api/incidents/unplaced`)).json()) as {
      items: UnplacedReport[];
    };
    const mine = waiting.items.find((u) => u.token === kept.token)!;
    expect(mine).toMatchObject({
      category: 'flooding',
      address: '25 Trần Phú, phường 4',
      description: 'Nước ngập nửa bánh xe',
    });
    expect(waiting.items.find((u) => u.token === byId.token)).toMatchObject({ addressId: 'TP-0042' });

    // the public may not place it; an operator does
    const place = (body: object, s: Pick<TestSession, 'fetch'> = operator) =>
      s.fetch(`${ioc.httpUrl}/api/incidents/unplaced/${mine.id}/place`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await place({ lat: at.lat, lon: at.long }, { fetch })).status).toBe(401);
    expect((await place({ lat: 21.03, lon: 105.85 })).status).toBe(400);
    const placed = await place({ lat: Number(at.lat), lon: Number(at.long) });
    expect(placed.status).toBe(201);
    const { incident } = await placed.json();
    expect(incident).toMatchObject({ source: 'open311', category: 'flooding', lat: Number(at.lat) });
    expect((await place({ lat: Number(at.lat), lon: Number(at.long) })).status).toBe(409);
    // placing is an operator's (or an admin's) act, and the audit log keeps who placed what
    const field = await loginAs(ioc, 'field');
    expect((await place({ lat: Number(at.lat), lon: Number(at.long) }, field)).status).toBe(403);
    const admin = await loginAs(ioc, 'admin');
    const audit = await admin.fetch(
      `${ioc.httpUrl}/api/admin/audit?action=incident.place&actor=${operator.username}`,
    );
    expect(((await audit.json()) as { items: AuditEntryView[] }).items).toMatchObject([
      { target: incident.id, outcome: 'ok', role: 'operator', actor: operator.username },
    ]);

    expect(await (await fetch(`${base}/tokens/${kept.token}.json`)).json()).toEqual([
      { service_request_id: incident.id, token: kept.token },
    ]);
    const [one] = await (await fetch(`${base}/requests/${incident.id}.json`)).json();
    expect(one).toMatchObject({ address: '25 Trần Phú, phường 4', status: 'open' });
    const left = (await (await operator.fetch(`${ioc.httpUrl}/api/incidents/unplaced`)).json()) as {
      items: UnplacedReport[];
    };
    expect(left.items.map((u) => u.token)).not.toContain(kept.token);
    expect((await fetch(`${base}/tokens/00000000-0000-0000-0000-000000000000.json`)).status).toBe(404);
    expect(errors).toEqual([]);
  });
});
