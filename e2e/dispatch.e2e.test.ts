// Dispatch from the console to a field officer's phone and back (issue 15), in two browser contexts.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, ReportCreated } from '#contract/incidentsApi.ts';
import type { UnitItem } from '#contract/units.ts';
import type { RunningIoc } from '../server/main.ts';
import type { TestSession } from '../server/testing/sessions.ts';
import { fontsLoaded, screenshot, signIn } from './support/browser.ts';
import { PHONE, startPhoneAndConsole } from './support/phone.ts';

/** where the incident is: about 560 m north-east of the officer */
const SCENE = { lat: 13.774, lon: 109.2235 };

let stop: () => Promise<void>;
let ioc: RunningIoc;
let browser: Browser;
let phoneCtx: BrowserContext;
let phone: Page;
let con: Page;
let field: TestSession;
let op: TestSession;
let pageErrors: string[];

async function sceneJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 2000, height: 1500, channels: 3, background: { r: 90, g: 120, b: 60 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

const detail = async (id: string) =>
  (await (await op.fetch(`/api/incidents/${id}`)).json()) as IncidentDetail;
const units = async () => ((await (await op.fetch('/api/units')).json()) as { items: UnitItem[] }).items;

describe('dispatch from the console to a field phone', () => {
  beforeAll(async () => {
    ({ ioc, stop, browser, phoneCtx, phone, con, field, op, pageErrors } =
      await startPhoneAndConsole('dispatch'));
  }, 120_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  it('goes on duty from /report: the position reaches the units layer, with an indicator and Stop', async () => {
    await phone.goto(`${ioc.httpUrl}/report`);
    await phone.getByTestId('tab-tasks').click();
    // no unit yet: the screen says how to get one
    await expect
      .poll(() => phone.getByTestId('tasks-empty').textContent())
      .toContain('Bật “Đang trực” ở trên');
    expect(await phone.getByTestId('duty-bar').count()).toBe(0);
    await phone.locator('.duty-switch').click();
    await expect.poll(() => phone.getByTestId('duty-bar').getAttribute('data-state')).toBe('sharing');
    expect(await phone.getByTestId('duty-line').textContent()).toMatch(
      /^Đang chia sẻ vị trí · gửi lúc \d\d:\d\d/,
    );
    const unitId = `field-${field.username}`;
    await expect
      .poll(async () => (await units()).find((u) => u.id === unitId))
      .toMatchObject({
        lat: 13.77,
        lon: 109.22,
        accuracyM: 12,
        onDuty: true,
        linked: true,
        status: 'available',
      });
    // the phone now has a unit: the empty list says tasks come here
    await expect.poll(() => phone.getByTestId('tasks-empty').textContent()).toContain('Chưa có nhiệm vụ nào');
    await fontsLoaded(phone);
    await screenshot(phone, 'dispatch-phone-on-duty');
  }, 60_000);

  it('gets the task live, accepts it, and the console sees each step in the incident history', async () => {
    // an incident near the officer, acknowledged by the operator
    const fd = new FormData();
    for (const [k, v] of Object.entries({
      category: 'public_order',
      ...SCENE,
      description: 'Tụ tập gây rối trước quán karaoke',
    }))
      fd.append(k, String(v));
    const rep = (await (
      await op.fetch('/api/reports', { method: 'POST', body: fd })
    ).json()) as ReportCreated;
    const patch = (body: object) =>
      op.fetch(`/api/incidents/${rep.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await patch({ action: 'acknowledge' })).status).toBe(200);

    // the operator's console has the incident's panel open
    await con.goto(ioc.httpUrl);
    await con.waitForFunction(() => !!(window as unknown as { __ioc?: unknown }).__ioc, undefined, {
      timeout: 60_000,
    });
    await con.waitForFunction(
      (id) =>
        (
          window as unknown as { __ioc: { state: { incidents: Map<string, unknown> } } }
        ).__ioc.state.incidents.has(id),
      rep.id,
      { timeout: 10_000 },
    );
    await con.evaluate(
      (id) => (window as unknown as { __ioc: { openIncident(i: string): void } }).__ioc.openIncident(id),
      rep.id,
    );
    const panel = con.getByTestId('side-panel');
    await expect.poll(() => panel.getAttribute('data-id')).toBe(rep.id);
    const history = panel.getByTestId('history').locator('li');
    await expect.poll(() => history.count()).toBe(2);

    // the phone is on another tab when the task comes
    await phone.getByTestId('tab-new').click();
    // the console's assign list is not on this branch: the operator's session dispatches over the API
    const assigned = await patch({
      action: 'assign',
      unitId: `field-${field.username}`,
      note: 'Đến ngay, có ẩu đả',
    });
    expect(assigned.status).toBe(200);
    await expect.poll(() => phone.getByTestId('tasks-new').textContent()).toBe('1');
    await fontsLoaded(phone);
    await screenshot(phone, 'dispatch-phone-badge');
    await phone.getByTestId('tab-tasks').click();
    const item = phone.locator('[data-testid="task-item"]').first();
    await expect.poll(() => item.getAttribute('data-status')).toBe('assigned');
    expect(await item.locator('.item-number').textContent()).toBe(rep.number);
    expect(await item.textContent()).toContain('Trật tự đô thị');
    expect(await item.getByTestId('task-place').textContent()).toBe('Tụ tập gây rối trước quán karaoke');
    expect(await item.getByTestId('task-note').textContent()).toContain('“Đến ngay, có ẩu đả”');
    expect(await item.getByTestId('task-distance').textContent()).toMatch(/^Cách bạn (5[0-9]0) m$/);
    await screenshot(phone, 'dispatch-phone-task');

    await item.getByTestId('task-accept').click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('accepted');
    // the badge goes once the task is accepted
    await expect.poll(() => phone.getByTestId('tasks-new').count()).toBe(0);
    // the console, open all along, shows the step in the history without being reloaded
    await expect.poll(() => history.count()).toBe(4);
    expect(await history.nth(3).textContent()).toContain(field.username);
    const d = await detail(rep.id);
    expect(d.history.map((h) => h.action)).toEqual(['reported', 'acknowledge', 'assign', 'unit_accept']);
  }, 90_000);

  it('marks on scene and done with a note and a photo while offline; they go in order when the network is back', async () => {
    const item = phone.locator('[data-testid="task-item"]').first();
    const incidentId = (
      (await (await field.fetch('/api/tasks')).json()) as { tasks: Array<{ incidentId: string }> }
    ).tasks[0].incidentId;
    const history = con.getByTestId('side-panel').getByTestId('history').locator('li');

    await phoneCtx.setOffline(true);
    await phone.getByTestId('offline-banner').waitFor();
    await item.getByTestId('task-on-scene').click();
    // shown as taken, and said to be waiting
    await expect.poll(() => item.getAttribute('data-status')).toBe('on_scene');
    await expect.poll(() => item.getByTestId('task-pending').count()).toBe(1);
    await item.getByTestId('task-done').click();
    await item.getByTestId('done-note').fill('Đã giải tán đám đông, không có thương tích');
    await item.getByTestId('done-photo-input').setInputFiles({
      name: 'hien-truong.jpg',
      mimeType: 'image/jpeg',
      buffer: await sceneJpeg(),
    });
    await item.getByTestId('done-thumb').waitFor();
    await item.getByTestId('done-send').click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('done');
    await expect
      .poll(() => phone.getByTestId('steps-waiting').textContent())
      .toBe('2 bước chưa gửi — sẽ tự gửi theo thứ tự khi có mạng');
    await expect
      .poll(() => item.getByTestId('task-pending').allTextContents())
      .toEqual([
        'Chưa gửi: Đến hiện trường — sẽ tự gửi khi có mạng',
        'Chưa gửi: Hoàn thành — sẽ tự gửi khi có mạng',
      ]);
    await fontsLoaded(phone);
    await screenshot(phone, 'dispatch-phone-offline-steps');
    // nothing reached the server meanwhile
    expect((await detail(incidentId)).history.map((h) => h.action)).not.toContain('unit_on_scene');

    await phoneCtx.setOffline(false);
    await expect.poll(() => phone.getByTestId('steps-waiting').count(), { timeout: 15_000 }).toBe(0);
    expect(await item.getByTestId('task-pending').count()).toBe(0);
    // the console shows both steps, in the order taken, the note, the incident resolved and the photo
    await expect.poll(() => history.count(), { timeout: 10_000 }).toBe(7);
    const texts = await history.allTextContents();
    expect(texts[4]).toContain(field.username);
    expect(texts[5]).toContain('Đã giải tán đám đông, không có thương tích');
    expect(texts[6]).toContain('Đã xử lý');
    await expect.poll(() => con.getByTestId('panel-status').textContent()).toBe('Đã xử lý');
    await expect.poll(() => con.getByTestId('panel-photos').locator('img').count()).toBe(1);
    const d = await detail(incidentId);
    expect(d.history.map((h) => [h.action, h.note])).toEqual([
      ['reported', null],
      ['acknowledge', null],
      ['assign', 'Đến ngay, có ẩu đả'],
      ['unit_accept', null],
      ['unit_on_scene', null],
      ['unit_done', 'Đã giải tán đám đông, không có thương tích'],
      ['resolve', null],
    ]);
    // the photo as the phone shrank it
    const photo = Buffer.from(await (await op.fetch(d.photos[0].url)).arrayBuffer());
    const meta = await sharp(photo).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(1600);
    await expect.poll(() => item.getAttribute('data-status')).toBe('done');
    await fontsLoaded(phone);
    await screenshot(phone, 'dispatch-phone-done');
    await screenshot(con, 'dispatch-console-history');
  }, 90_000);

  it('stops sharing with Stop: the unit leaves the map', async () => {
    await phone.getByTestId('duty-stop').click();
    await expect.poll(() => phone.getByTestId('duty-bar').count()).toBe(0);
    await expect
      .poll(async () => (await units()).find((u) => u.id === `field-${field.username}`)?.onDuty)
      .toBe(false);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('says so when the GPS is refused', async () => {
    const ctx = await browser.newContext({ ...PHONE, permissions: [] });
    await signIn(ctx, ioc, 'field');
    const p = await ctx.newPage();
    await p.goto(`${ioc.httpUrl}/report`);
    await p.getByTestId('tab-tasks').click();
    await p.locator('.duty-switch').click();
    await expect.poll(() => p.getByTestId('duty-problem').getAttribute('data-state')).toBe('denied');
    expect(await p.getByTestId('duty-problem').textContent()).toContain('Trình duyệt không cho dùng GPS');
    expect(await p.getByTestId('duty-switch').isChecked()).toBe(false);
    expect(await p.getByTestId('duty-bar').count()).toBe(0);
    await fontsLoaded(p);
    await screenshot(p, 'dispatch-phone-gps-refused');
    await ctx.close();
  }, 30_000);
});
