// "My reports" on the field page (issue 15): a field officer files a scene report on the phone; an
// operator on the console takes it in hand with a note to the reporter, then resolves it; the phone
// shows each step and note as it happens (pushed, the page never reloaded), in Vietnamese. Offline the
// phone opens the page from its service worker and still shows the list with the notes; back online the
// list is the server's again, a report sent from another phone of the same account included.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIoc } from '../server/main.ts';
import { login, type TestSession } from '../server/testing/sessions.ts';
import { fontsLoaded, screenshot } from './support/browser.ts';
import { fillReport, PHONE, startPhoneAndConsole, watchErrors } from './support/phone.ts';

interface FieldHook {
  current: { value: { receipt?: { id: string; number: string } } | null };
}
interface ConsoleHook {
  state: { incidents: Map<string, unknown> };
}

const NOTE_ACK = 'Đã cử tổ cứu hộ phường Lê Lợi, khoảng 15 phút nữa có mặt. Anh/chị giữ khoảng cách an toàn.';
const NOTE_RESOLVED = 'Nước đã rút, đường thông xe lúc 16:40. Cảm ơn anh/chị đã báo.';

let stop: () => Promise<void>;
let ioc: RunningIoc;
let browser: Browser;
let phoneCtx: BrowserContext;
let phone: Page;
let con: Page;
let field: TestSession;
let pageErrors: string[];
/** the report the phone filed */
let report: { id: string; number: string };

/** The report's row in "my reports" on a page. */
const mineItem = (p: Page, number: string) => p.locator(`[data-testid="mine-item"][data-number="${number}"]`);

/**
 * On the console: opens the incident from the queue (`I`) and takes a step with a note for the
 * reporter, as an operator does; waits for the panel to show the new status.
 */
async function stepWithNote(id: string, action: string, note: string, status: string): Promise<void> {
  const panel = con.getByTestId('side-panel');
  if ((await panel.getAttribute('data-id').catch(() => null)) !== id) {
    const row = con.locator(`[data-testid="queue-item"][data-id="${id}"]`);
    // `I` opens the queue, and closes it when open
    if (!(await row.isVisible())) await con.keyboard.press('i');
    await row.click();
    await expect.poll(() => panel.getAttribute('data-id')).toBe(id);
  }
  await panel.getByTestId(`act-${action}`).click();
  await panel.getByTestId('act-note').fill(note);
  await panel.getByTestId('act-confirm').click();
  await expect.poll(() => panel.getByTestId('panel-status').textContent()).toBe(status);
}

describe('my reports on the phone', () => {
  beforeAll(async () => {
    ({ ioc, stop, browser, phoneCtx, phone, con, field, pageErrors } =
      await startPhoneAndConsole('my-reports'));
  }, 120_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  it("shows the operator's steps and notes as they happen, without reloading", async () => {
    await phone.goto(`${ioc.httpUrl}/report`);
    expect(await phone.locator('html').getAttribute('lang')).toBe('vi');
    await fillReport(phone, 'flooding', 'Ngập sâu 50 cm ở ngã tư Trần Hưng Đạo – Lê Lợi, xe máy chết máy', 4);
    await phone.getByTestId('send').click();
    await phone.getByTestId('sent').waitFor({ timeout: 15_000 });
    report = (await phone.evaluate(
      () => (window as unknown as { __field: FieldHook }).__field.current.value?.receipt,
    )) as { id: string; number: string };
    expect(report.number).toMatch(/^PA-\d{6}$/);

    await phone.getByTestId('to-mine').click();
    const item = mineItem(phone, report.number);
    await expect.poll(() => item.getByTestId('status-chip').textContent()).toBe('Mới');
    // the list is live: the server's pushes reach the phone
    await phone.getByTestId('mine-live').waitFor({ timeout: 10_000 });
    // anything that reloaded the page would lose this
    await phone.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    // the operator's console, open on the wall
    await con.goto(ioc.httpUrl);
    await con.waitForFunction(
      (id) => !!(window as unknown as { __ioc?: ConsoleHook }).__ioc?.state.incidents.has(id),
      report.id,
      { timeout: 60_000 },
    );
    await stepWithNote(report.id, 'acknowledge', NOTE_ACK, 'Đã tiếp nhận');
    // pushed to the phone: the status and the note, worded in Vietnamese
    await expect
      .poll(() => item.getByTestId('status-chip').textContent(), { timeout: 10_000 })
      .toBe('Đã tiếp nhận');
    await expect.poll(() => item.getByTestId('mine-note').allTextContents()).toEqual([`“${NOTE_ACK}”`]);
    expect(await item.getByTestId('mine-update').first().textContent()).toMatch(
      /^\d\d:\d\d(:\d\d)? Đã tiếp nhận“/,
    );

    await stepWithNote(report.id, 'resolve', NOTE_RESOLVED, 'Đã xử lý');
    await expect
      .poll(() => item.getByTestId('status-chip').textContent(), { timeout: 10_000 })
      .toBe('Đã xử lý');
    // newest first
    await expect
      .poll(() => item.getByTestId('mine-note').allTextContents())
      .toEqual([`“${NOTE_RESOLVED}”`, `“${NOTE_ACK}”`]);
    expect(
      await phone.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);

    await item.scrollIntoViewIfNeeded();
    await fontsLoaded(phone);
    await screenshot(phone, 'my-reports-notes');
    await screenshot(con, 'my-reports-console');
  }, 180_000);

  it('offline, opens from the service worker and still shows my reports with the notes', async () => {
    await phone.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 15_000 });
    // the worker keeps the city for the pin map (the first visit fetched it before the worker was in charge)
    await expect
      .poll(() => phone.evaluate(async () => !!(await caches.match('/api/city'))), { timeout: 10_000 })
      .toBe(true);
    await phoneCtx.setOffline(true);
    await phone.reload();
    await phone.getByTestId('offline-banner').waitFor({ timeout: 10_000 });
    // the form's pin map draws the city from the worker's copy
    await expect
      .poll(() => phone.getByTestId('mini-map').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    await phone.getByTestId('tab-mine').click();
    const item = mineItem(phone, report.number);
    await expect.poll(() => item.getByTestId('status-chip').textContent()).toBe('Đã xử lý');
    expect(await item.getByTestId('mine-note').allTextContents()).toEqual([
      `“${NOTE_RESOLVED}”`,
      `“${NOTE_ACK}”`,
    ]);
    // not said to be live: the list is what the phone kept, and it says how old that is
    expect(await phone.getByTestId('mine-live').count()).toBe(0);
    expect(await phone.getByTestId('mine-checked').textContent()).toMatch(/^Cập nhật trạng thái /);
    await fontsLoaded(phone);
    await screenshot(phone, 'my-reports-offline');
  }, 60_000);

  it("back online, my reports is the server's: a report sent from another phone of the account appears, and is live", async () => {
    // the same officer on another phone, while this one is offline
    const other = await browser.newContext(PHONE);
    const cookie = await login(ioc.httpUrl, field.username, field.password);
    const [name, value] = cookie.split('=') as [string, string];
    await other.addCookies([{ name, value, url: ioc.httpUrl, httpOnly: true, sameSite: 'Lax' }]);
    const p2 = await other.newPage();
    watchErrors(p2, 'other phone', pageErrors);
    await p2.goto(`${ioc.httpUrl}/report`);
    await fillReport(p2, 'lighting', 'Đèn đường tắt cả dãy trên đường Xuân Diệu', 2);
    await p2.getByTestId('send').click();
    await p2.getByTestId('sent').waitFor({ timeout: 15_000 });
    const second = (await p2.evaluate(
      () => (window as unknown as { __field: FieldHook }).__field.current.value?.receipt,
    )) as { id: string; number: string };
    await other.close();
    expect(await mineItem(phone, second.number).count()).toBe(0);

    // the phone stays on "my reports": the network coming back is all that happens
    await phoneCtx.setOffline(false);
    const item = mineItem(phone, second.number);
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(1);
    await phone.getByTestId('mine-live').waitFor({ timeout: 10_000 });
    // and pushed again: the operator's step on it reaches this phone as it happens
    await stepWithNote(second.id, 'acknowledge', 'Đã báo Điện lực, sẽ sửa trong ngày.', 'Đã tiếp nhận');
    await expect
      .poll(() => item.getByTestId('status-chip').textContent(), { timeout: 10_000 })
      .toBe('Đã tiếp nhận');
    expect(await item.getByTestId('mine-note').allTextContents()).toEqual([
      '“Đã báo Điện lực, sẽ sửa trong ngày.”',
    ]);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
