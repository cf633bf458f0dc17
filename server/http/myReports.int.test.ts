import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MyReportsPage, MyReportView, ReportCreated } from '#contract/incidentsApi.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#contract/live.ts';
import { eventually, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const json = async <T>(res: Response, status = 200): Promise<T> => {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.url}: ${res.status}, expected ${status}: ${body}`);
  return (body ? JSON.parse(body) : undefined) as T;
};

describe.each(iocSetups())("a reporter's own reports on $name", (setup) => {
  let started: StartedIoc;
  let op: TestSession;
  let ana: TestSession;
  let binh: TestSession;
  const sockets: Client[] = [];
  const url = () => started.ioc.httpUrl;
  const report = async (s: TestSession, description: string) => {
    const cam = started.ioc.city.cameras[1];
    const fd = new FormData();
    const id = randomUUID();
    for (const [k, v] of Object.entries({
      id,
      category: 'public_order',
      lat: cam.lat,
      lon: cam.lon,
      description,
    }))
      fd.append(k, String(v));
    const r = await json<ReportCreated>(
      await s.fetch(`${url()}/api/reports`, { method: 'POST', body: fd }),
      201,
    );
    return { ...r, clientId: id };
  };
  const mine = async (s: TestSession) =>
    (await json<MyReportsPage>(await s.fetch(`${url()}/api/reports/mine`))).items;
  const patch = (id: string, body: unknown) =>
    op.fetch(`${url()}/api/incidents/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    started = await setup.start();
    op = await loginAs(started.ioc, 'operator');
    ana = await loginAs(started.ioc, 'field');
    binh = await loginAs(started.ioc, 'field');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await started?.dispose();
  });

  it("lists only the caller's reports, with the operators' steps and notes, and pushes each change to the reporter", async () => {
    const a1 = await report(ana, 'Lấn chiếm vỉa hè');
    const a2 = await report(ana, 'Tụ tập gây ồn');
    const b1 = await report(binh, 'Bán hàng rong');

    const anaSees = await mine(ana);
    expect(anaSees.map((r) => r.number)).toEqual([a2.number, a1.number]);
    expect(anaSees[0]).toMatchObject({
      clientId: a2.clientId,
      status: 'new',
      category: 'public_order',
      description: 'Tụ tập gây ồn',
      updates: [],
    });
    expect((await mine(binh)).map((r) => r.number)).toEqual([b1.number]);
    // an operator sees their own reports only (none), not everyone's
    expect(await mine(op)).toEqual([]);

    // the phones listen: ana's gets her report's changes, binh's nothing of hers
    const heard = new Map<string, MyReportView[]>();
    for (const who of [ana, binh]) {
      const s: Client = connectSocket(url(), {
        transports: ['websocket'],
        extraHeaders: { cookie: who.cookie },
      });
      sockets.push(s);
      heard.set(who.username, []);
      s.on('report:changed', (r) => heard.get(who.username)?.push(r));
      await eventually(() => s.connected, 5000, 'the socket');
    }
    await json(await patch(a1.id, { action: 'acknowledge', note: 'Đã tiếp nhận, đang cử người' }));
    const pushed = await eventually(
      () => heard.get(ana.username)?.find((r) => r.id === a1.id && r.status === 'acknowledged'),
      5000,
      'the push of the acknowledgement',
    );
    expect(pushed.updates).toEqual([
      {
        time: expect.any(Number),
        action: 'acknowledge',
        toStatus: 'acknowledged',
        note: 'Đã tiếp nhận, đang cử người',
      },
    ]);
    await json(
      await op.fetch(`${url()}/api/incidents/${a1.id}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'Tổ công tác đến trong 10 phút' }),
      }),
      201,
    );
    await eventually(
      () =>
        heard
          .get(ana.username)
          ?.find((r) => r.updates.some((u) => u.note === 'Tổ công tác đến trong 10 phút')),
      5000,
      'the push of the note',
    );
    const after = (await mine(ana)).find((r) => r.id === a1.id);
    expect(after?.updates.map((u) => [u.action, u.toStatus, u.note])).toEqual([
      ['acknowledge', 'acknowledged', 'Đã tiếp nhận, đang cử người'],
      ['note', null, 'Tổ công tác đến trong 10 phút'],
    ]);
    expect(heard.get(binh.username)).toEqual([]);

    // a note may not be empty, and only operators write them
    const empty = await op.fetch(`${url()}/api/incidents/${a1.id}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: '  ' }),
    });
    expect(empty.status).toBe(400);
    const byField = await ana.fetch(`${url()}/api/incidents/${a1.id}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x' }),
    });
    expect(byField.status).toBe(403);
    expect(started.errors).toEqual([]);
  });
});
