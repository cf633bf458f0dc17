import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, ReportCreated } from '#contract/incidentsApi.ts';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

describe.each(iocSetups())('incident lifecycle and Open311 on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let at: { lat: number; lon: number };
  // the duty officers: each action is recorded under the account that did it
  const desk: Record<string, TestSession> = {};
  let fetch: typeof globalThis.fetch;

  const report = async (f: Record<string, string | number> = {}): Promise<ReportCreated> => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ id: randomUUID(), category: 'traffic_accident', ...at, ...f }))
      fd.append(k, String(v));
    const res = await fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', body: fd });
    expect(res.status).toBe(201);
    return (await res.json()) as ReportCreated;
  };
  const act = (id: string, body: { action: string; actor?: string; note?: string; assignee?: string }) =>
    desk[body.actor ?? 'truc-ban-3'].fetch(`${ioc.httpUrl}/api/incidents/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const detail = async (id: string) =>
    (await (await fetch(`${ioc.httpUrl}/api/incidents/${id}`)).json()) as IncidentDetail;

  beforeAll(async () => {
    ({ ioc, dispose, errors } = await setup.start());
    for (const name of ['truc-ban-1', 'truc-ban-2', 'truc-ban-3', 'csgt-to-2'])
      desk[name] = await loginAs(ioc, 'operator', name);
    fetch = desk['truc-ban-1'].fetch;
    const cam = ioc.city.cameras[5];
    at = { lat: cam.lat, lon: cam.lon + 0.0003 };
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('refuses to close a new incident and records every legal step in order', async () => {
    const { id } = await report({ reporter: 'Nguyễn Văn A' });
    const close = await act(id, { action: 'close' });
    expect(close.status).toBe(409);
    expect(await close.json()).toMatchObject({
      error: {
        code: 'illegal_transition',
        message: 'cannot close an incident that is new; resolve it first',
      },
    });
    const missing = await act(id, { action: 'assign' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: 'invalid_field', details: [{ field: 'assignee' }] },
    });

    const steps = [
      { action: 'acknowledge', actor: 'truc-ban-1', note: 'đã xem camera' },
      { action: 'assign', actor: 'truc-ban-1', assignee: 'CSGT tổ 2', note: 'điều tổ 2' },
      // the patrol radios in; an officer records it under their own account
      { action: 'resolve', actor: 'csgt-to-2', note: 'đã giải tỏa' },
      { action: 'close', note: 'xong' },
      { action: 'reopen', actor: 'truc-ban-2', note: 'còn ùn' },
    ];
    const statuses: string[] = [];
    for (const s of steps) {
      const res = await act(id, s);
      expect(res.status, s.action).toBe(200);
      statuses.push((await res.json()).incident.status);
    }
    expect(statuses).toEqual(['acknowledged', 'dispatched', 'resolved', 'closed', 'acknowledged']);

    const d = await detail(id);
    expect(d.incident).toMatchObject({ id, status: 'acknowledged', assignee: 'CSGT tổ 2', source: 'field' });
    expect(
      d.history.map(({ action, actor, fromStatus, toStatus, note }) => ({
        action,
        actor,
        fromStatus,
        toStatus,
        note,
      })),
    ).toEqual([
      { action: 'reported', actor: 'Nguyễn Văn A', fromStatus: null, toStatus: 'new', note: null },
      {
        action: 'acknowledge',
        actor: 'truc-ban-1',
        fromStatus: 'new',
        toStatus: 'acknowledged',
        note: 'đã xem camera',
      },
      {
        action: 'assign',
        actor: 'truc-ban-1',
        fromStatus: 'acknowledged',
        toStatus: 'dispatched',
        note: 'điều tổ 2',
      },
      {
        action: 'resolve',
        actor: 'csgt-to-2',
        fromStatus: 'dispatched',
        toStatus: 'resolved',
        note: 'đã giải tỏa',
      },
      { action: 'close', actor: 'truc-ban-3', fromStatus: 'resolved', toStatus: 'closed', note: 'xong' },
      {
        action: 'reopen',
        actor: 'truc-ban-2',
        fromStatus: 'closed',
        toStatus: 'acknowledged',
        note: 'còn ùn',
      },
    ]);
    expect(d.history.map((h) => h.time)).toEqual([...d.history.map((h) => h.time)].sort((a, b) => a - b));
    expect(d.nearestCameras).toHaveLength(3);
    expect(d.nearestCameras[0]).toMatchObject({ id: ioc.city.cameras[5].id });
    const { rows } = await ioc.db.query<{ a: boolean; d: boolean; r: boolean; c: boolean }>(
      `SELECT acknowledged_at IS NOT NULL AS a, dispatched_at IS NOT NULL AS d, resolved_at IS NULL AS r,
         closed_at IS NULL AS c FROM incidents WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ a: true, d: true, r: true, c: true });
    // the audit trail cannot be rewritten
    await expect(
      ioc.db.query('UPDATE incident_events SET note = $1 WHERE incident_id = $2', ['x', id]),
    ).rejects.toThrow(/append-only/);
  });

  it('lets one of two operators acknowledging at once win; the other gets 409', async () => {
    const { id } = await report();
    const res = await Promise.all([
      act(id, { action: 'acknowledge', actor: 'truc-ban-1' }),
      act(id, { action: 'acknowledge', actor: 'truc-ban-2' }),
    ]);
    expect(res.map((r) => r.status).sort()).toEqual([200, 409]);
    const d = await detail(id);
    expect(d.history.filter((h) => h.action === 'acknowledge')).toHaveLength(1);
    expect((await act('999999999', { action: 'acknowledge' })).status).toBe(404);
    expect((await act('abc', { action: 'acknowledge' })).status).toBe(404);
  });

  it('lists open incidents by severity, then oldest first', async () => {
    const low = await report({ severity: 1, category: 'waste' });
    const high1 = await report({ severity: 5, category: 'waste' });
    const high2 = await report({ severity: 5, category: 'waste' });
    const res = await fetch(`${ioc.httpUrl}/api/incidents?status=open&category=waste`);
    const { items } = (await res.json()) as { items: Array<{ id: string; number: string }> };
    expect(items.map((i) => i.id)).toEqual([high1.id, high2.id, low.id]);
    expect(items[0].number).toBe(high1.number);
    expect((await fetch(`${ioc.httpUrl}/api/incidents?status=maybe`)).status).toBe(400);
  });

  it('merges nearby reports of the same event and shows their reports under the target', async () => {
    const a = await report({ category: 'fire', description: 'khói' });
    const b = await report({ category: 'fire', description: 'cháy', lat: at.lat + 0.001 });
    const far = await report({ category: 'fire', lat: at.lat + 0.01 });
    const other = await report({ category: 'lighting' });
    const merge = (ids: string[]) =>
      fetch(`${ioc.httpUrl}/api/incidents/${a.id}/merge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids, actor: 'trực ban 1' }),
      });
    const refused = await merge([b.id, far.id, other.id]);
    expect(refused.status).toBe(409);
    const err = (await refused.json()).error;
    expect(err.code).toBe('merge_refused');
    expect(err.message).toMatch(/m away/);
    expect(err.details.map((x: { id: string }) => x.id)).toEqual([far.id, other.id]);

    const ok = await merge([b.id]);
    expect(ok.status).toBe(200);
    const d = await detail(a.id);
    expect(d.reports).toMatchObject([{ id: b.id, number: b.number, description: 'cháy' }]);
    // no note given: no sentence stored, the console words the merge from the action and the ref
    expect(d.history.at(-1)).toMatchObject({
      action: 'merge',
      ref: { id: b.id, number: b.number },
      note: null,
    });
    const db = await detail(b.id);
    expect(db.incident).toMatchObject({ status: 'closed', mergedInto: { id: a.id, number: a.number } });
    expect(db.history.at(-1)).toMatchObject({
      action: 'merged',
      fromStatus: 'new',
      toStatus: 'closed',
      ref: { id: a.id, number: a.number },
      note: null,
    });
  });

  it('speaks Open311 GeoReport v2: services, a form-encoded request, the request by id, errors as arrays', async () => {
    const base = `${ioc.httpUrl}/open311/v2`;
    const services = (await (await fetch(`${base}/services.json`)).json()) as Array<Record<string, unknown>>;
    expect(services).toHaveLength(10);
    // the contract's names, which the console, field page and dashboard now show too: unchanged for Open311 clients
    expect(
      Object.fromEntries(services.map((s) => [s.service_code, [s.service_name, s.description]])),
    ).toEqual({
      traffic_accident: ['Tai nạn giao thông', 'Traffic accident'],
      traffic_jam: ['Ùn tắc giao thông', 'Traffic congestion'],
      flooding: ['Ngập úng', 'Flooding'],
      fire: ['Cháy, nổ', 'Fire or explosion'],
      public_order: ['Trật tự đô thị', 'Public order (street vending, encroachment)'],
      environment: ['Ô nhiễm môi trường', 'Environmental pollution'],
      infrastructure: ['Hạ tầng (đường, cầu, vỉa hè)', 'Infrastructure (roads, bridges, pavements)'],
      lighting: ['Chiếu sáng công cộng', 'Street lighting'],
      waste: ['Rác thải', 'Waste and litter'],
      other: ['Khác', 'Other'],
    });
    expect(services.find((s) => s.service_code === 'flooding')).toEqual({
      service_code: 'flooding',
      service_name: 'Ngập úng',
      description: 'Flooding',
      metadata: false,
      type: 'realtime',
      keywords: expect.any(String),
      group: expect.any(String),
    });
    expect((await (await fetch(`${base}/discovery.json`)).json()).endpoints[0].formats).toEqual([
      'text/xml',
      'application/json',
    ]);

    const created = await fetch(`${base}/requests.json`, {
      method: 'POST',
      body: new URLSearchParams({
        service_code: 'lighting',
        lat: String(at.lat),
        long: String(at.lon),
        description: 'Đèn đường tắt cả dãy',
        address_string: '12 Lê Lợi',
        media_url: 'https://example.org/p.jpg',
        first_name: 'Trần',
        last_name: 'B',
      }),
    });
    expect(created.status).toBe(201);
    const [c] = (await created.json()) as Array<{ service_request_id: string; service_notice: string }>;
    expect(c.service_request_id).toMatch(/^\d+$/);

    const one = await (await fetch(`${base}/requests/${c.service_request_id}.json`)).json();
    expect(one).toEqual([
      expect.objectContaining({
        service_request_id: c.service_request_id,
        status: 'open',
        service_code: 'lighting',
        service_name: 'Chiếu sáng công cộng',
        description: 'Đèn đường tắt cả dãy',
        address: '12 Lê Lợi',
        lat: at.lat,
        long: at.lon,
        media_url: 'https://example.org/p.jpg',
        requested_datetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated_datetime: expect.any(String),
      }),
    ]);
    const d = await detail(c.service_request_id);
    expect(d.incident).toMatchObject({ source: 'open311', reporter: 'Trần B' });

    const listed = (await (
      await fetch(`${base}/requests.json?service_code=lighting&status=open`)
    ).json()) as Array<{
      service_request_id: string;
    }>;
    expect(listed.map((x) => x.service_request_id)).toContain(c.service_request_id);
    const closed = (await (
      await fetch(`${base}/requests.json?service_code=lighting&status=closed`)
    ).json()) as unknown[];
    expect(closed).toEqual([]);

    // JSON bodies too; errors in the spec's shape
    const unknown = await fetch(`${base}/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service_code: 'ufo', lat: at.lat, long: at.lon }),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual([
      { code: 400, description: expect.stringContaining('service_code ufo') },
    ]);
    const nowhere = await fetch(`${base}/requests.json`, {
      method: 'POST',
      body: new URLSearchParams({ service_code: 'waste', lat: '21.03', long: '105.85' }),
    });
    expect(nowhere.status).toBe(400);
    expect((await nowhere.json())[0].description).toMatch(/outside/);
    const missing = await fetch(`${base}/requests/999999999.json`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual([{ code: 404, description: expect.any(String) }]);
    expect((await fetch(`${base}/requests.csv`)).status).toBe(400);
    const badJson = await fetch(`${base}/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"service_code": ',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual([{ code: 400, description: 'request body is not valid JSON' }]);
    expect(errors).toEqual([]);
  });
});
