import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIoc } from '../server/main.ts';
import { loginAs, type TestSession } from '../server/testing/sessions.ts';
import { expectNoSeriousA11y } from './support/a11y.ts';
import {
  ensureClientBuilt,
  fontsLoaded,
  launchBrowser,
  mapSettled,
  paintStats,
  screenshot,
  signIn,
} from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';
import { fillReport, PHONE } from './support/phone.ts';

interface FieldHook {
  outbox: { value: Array<{ id: string; state: string; owner?: { username: string } }> };
  current: {
    value: { id: string; receipt?: { id: string; number: string; photos: Array<{ url: string }> } } | null;
  };
}
interface ConsoleHook {
  state: { incidents: Map<string, { id: string; description?: string; status: string }> };
  openIncident(id: string): void;
}
declare global {
  interface Window {
    __field?: FieldHook;
  }
}

let stop: () => Promise<void>;
let ioc: RunningIoc;
let browser: Browser;
let phone: BrowserContext;
let page: Page;
/** the field officer the phone is logged in as */
let field: TestSession;
const pageErrors: string[] = [];

/** A real camera-sized JPEG (2400×1800, so the page has to shrink it). */
async function cameraJpeg(): Promise<Buffer> {
  const w = 2400;
  const h = 1800;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] = (x * 255) / w;
      raw[i + 1] = (y * 255) / h;
      raw[i + 2] = ((x + y) % 200) + 40;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * More distinct colours than the mini-map shows before the city is drawn in it (the sea and the pin:
 * a few); drawn, it shows about 28 (measured on the 390 px phone)
 */
const MINI_MAP_COLOURS = 10;

describe('field report page', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop } = await startTestIoc('field'));
    ({ browser } = await launchBrowser());
    phone = await browser.newContext(PHONE);
    field = await signIn(phone, ioc, 'field');
    page = await phone.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      // the offline part fails requests on purpose
      if (m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(m.text()))
        pageErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  }, 60_000);

  it('sends a report with a photo shrunk on the phone and shows its number', async () => {
    await page.goto(`${ioc.httpUrl}/report`);
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await fillReport(page, 'flooding', 'Ngập sâu 40 cm trước chợ Đầm, xe máy chết máy', 4);
    await page.getByTestId('photo-input').setInputFiles({
      name: 'IMG_0042.jpg',
      mimeType: 'image/jpeg',
      buffer: await cameraJpeg(),
    });
    await expect.poll(() => page.locator('[data-testid="thumbs"] img').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('mini-map').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    // the map has drawn the city under the pin: districts, water and roads, not only the sea
    await page.getByTestId('mini-map').scrollIntoViewIfNeeded();
    const miniMap = (await page.getByTestId('mini-map').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await expect
      .poll(async () => (await paintStats(page, miniMap)).colours)
      .toBeGreaterThan(MINI_MAP_COLOURS);
    await fontsLoaded(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'field-form-top');
    await expectNoSeriousA11y(page, 'the report form (390×844, filled in, one photo)');
    await page.getByTestId('section-photos').scrollIntoViewIfNeeded();
    await screenshot(page, 'field-form-photos');

    await page.getByTestId('send').click();
    await expect(page.getByTestId('sent').waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    const number = await page.getByTestId('report-number').textContent();
    expect(number).toMatch(/^PA-\d{6}$/);
    await screenshot(page, 'field-confirmation');

    // the server keeps the photo as the phone sent it: at most 1600 px
    const receipt = await page.evaluate(() => window.__field?.current.value?.receipt);
    expect(receipt?.photos).toHaveLength(1);
    const photo = Buffer.from(
      await (await field.fetch(`${ioc.httpUrl}${receipt?.photos[0].url}`)).arrayBuffer(),
    );
    const meta = await sharp(photo).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(1600);
    expect(meta.width).toBeGreaterThan(1000);
  }, 60_000);

  it('queues a report made offline and sends it by itself when the network is back; the console shows it', async () => {
    await page.getByTestId('again').click();
    const description = `Cột đèn đổ chắn đường Xuân Diệu — ${Date.now()}`;
    await fillReport(page, 'lighting', description, 3);
    await phone.setOffline(true);
    await page.getByTestId('send').click();
    await page.getByTestId('queued').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('waiting').textContent()).toBe('Đang chờ gửi: 1');
    await screenshot(page, 'field-queued');

    // it is on the phone, not on the server
    const [queued] = await page.evaluate(() => window.__field?.outbox.value.map((e) => e.id) ?? []);
    expect(queued).toMatch(/^[0-9a-f-]{36}$/);
    const before = (await (await field.fetch(`${ioc.httpUrl}/api/reports/status?ids=${queued}`)).json()) as {
      items: unknown[];
    };
    expect(before.items).toEqual([]);

    // the console is open on the wall meanwhile
    const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signIn(wall, ioc, 'operator');
    const con = await wall.newPage();
    await con.goto(ioc.httpUrl);
    await con.waitForFunction(() => !!window.__ioc);

    const backAt = Date.now();
    await phone.setOffline(false);
    await page.getByTestId('sent').waitFor({ timeout: 10_000 });
    const sentAfterMs = Date.now() - backAt;
    expect(sentAfterMs).toBeLessThan(10_000);
    expect(await page.getByTestId('waiting').count()).toBe(0);
    const number = await page.getByTestId('report-number').textContent();
    expect(number).toMatch(/^PA-\d{6}$/);
    const after = (await (await field.fetch(`${ioc.httpUrl}/api/reports/status?ids=${queued}`)).json()) as {
      items: Array<{ clientId: string; number: string; status: string }>;
    };
    expect(after.items).toMatchObject([{ clientId: queued, number, status: 'new' }]);

    // the console learns of it live, and lists it in the incident queue
    const id = await con
      .waitForFunction(
        (d) =>
          [...((window as unknown as { __ioc?: ConsoleHook }).__ioc?.state.incidents.values() ?? [])].find(
            (i) => i.description === d,
          )?.id,
        description,
        { timeout: 10_000 },
      )
      .then((h) => h.jsonValue());
    await con.keyboard.press('i');
    const row = con.locator(`[data-testid="queue-item"][data-id="${id}"]`);
    // (the queue reads the list when it opens: a loaded machine may take more than a moment)
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    const panel = con.getByTestId('side-panel');
    await expect.poll(() => panel.getAttribute('data-id')).toBe(id);
    await expect.poll(() => panel.getByTestId('panel-status').textContent()).toBe('Mới');
    await panel.getByTestId('act-acknowledge').click();
    await panel.getByTestId('act-confirm').click();
    await expect
      .poll(() => panel.getByTestId('panel-status').textContent(), { timeout: 5000 })
      .toBe('Đã tiếp nhận');
    await panel.getByTestId('history').getByText('Đã tiếp nhận').first().waitFor();
    // the map has flown to the incident and drawn it
    await mapSettled(con);
    await screenshot(con, 'field-console-incident');
    await wall.close();

    // and the reporter sees the new status in "my reports"
    await page.getByTestId('to-mine').click();
    const mine = page.locator(
      `[data-testid="mine-item"][data-number="${number}"] [data-testid="status-chip"]`,
    );
    await expect.poll(() => mine.textContent(), { timeout: 5000 }).toBe('Đã tiếp nhận');
    await screenshot(page, 'field-mine');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('opens /report with no network once installed (service worker precache)', async () => {
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${ioc.httpUrl}/report`);
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 10_000 });
    await phone.setOffline(true);
    await page.reload();
    await page.getByTestId('report-form').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('offline-banner').isVisible()).toBe(true);
    await phone.setOffline(false);
  }, 30_000);

  it("on a shared phone, a queued report waits for the account that wrote it, never goes under the next one's", async () => {
    const password = 'mật khẩu đủ dài 2026';
    const an = { username: 'e2e-an', displayName: 'Nguyễn Văn An' };
    const binh = { username: 'e2e-binh', displayName: 'Trần Thị Bình' };
    for (const u of [an, binh]) await ioc.users.create({ ...u, role: 'field', password });
    const operator = await loginAs(ioc, 'operator');
    const statusOf = async (id: string) =>
      (
        (await (await operator.fetch(`/api/reports/status?ids=${id}`)).json()) as {
          items: Array<{ clientId: string; id: string; number: string }>;
        }
      ).items;
    /** an incident as operators see it, and its history */
    const incident = async (id: string) =>
      (await (await operator.fetch(`/api/incidents/${id}`)).json()) as {
        incident: { reporter?: string; ts: number };
        history: Array<{ action: string; time: number }>;
      };

    const shared = await browser.newContext({
      ...PHONE,
      // requests go straight from the page, where the test can refuse them
      serviceWorkers: 'block',
    });
    const p = await shared.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => {
      if (m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to fetch|401/.test(m.text()))
        errors.push(m.text());
    });
    const dialogs: string[] = [];
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    /** the bodies of the reports the page uploads */
    const posted: string[] = [];
    p.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/reports')
        posted.push(r.postDataBuffer()?.toString('latin1') ?? '');
    });
    const logIn = async (u: { username: string }) => {
      await p.waitForURL((x) => x.pathname === '/login');
      await p.locator('#login-username').fill(u.username);
      await p.locator('#login-password').fill(password);
      await p.locator('button[type=submit]').click();
      await p.waitForURL((x) => x.pathname === '/report', { timeout: 15_000 });
      await p.getByTestId('user-menu-toggle').waitFor();
    };
    const logOut = async () => {
      await p.getByTestId('user-menu-toggle').click();
      await p.getByTestId('logout').click();
      await p.waitForURL((x) => x.pathname === '/login', { timeout: 10_000 });
    };
    const outbox = () => p.evaluate(() => window.__field?.outbox.value ?? []);

    // An writes a report while the server cannot be reached, naming the reporter as An likes
    await p.goto(`${ioc.httpUrl}/report`);
    await logIn(an);
    await shared.route('**/api/reports', (r) =>
      r.request().method() === 'POST' ? r.abort('internetdisconnected') : r.continue(),
    );
    const anText = `Rác tràn ra lòng đường Lê Lợi — ${Date.now()}`;
    await fillReport(p, 'waste', anText, 2);
    const anReporter = 'An, tổ 3 (0905 111 222)';
    await p.getByTestId('reporter').fill(anReporter);
    const anSentAt = Date.now();
    await p.getByTestId('send').click();
    await p.getByTestId('queued').waitFor({ timeout: 15_000 });
    const [queued] = await outbox();
    expect(queued.owner?.username).toBe(an.username);

    // and logs out: asked first, the report stays on the phone
    await logOut();
    expect(dialogs).toEqual([
      '1 báo cáo chưa gửi sẽ được giữ trên máy này và gửi khi bạn đăng nhập lại. Đăng xuất?',
    ]);
    await shared.unroute('**/api/reports');
    posted.length = 0;

    // Bình signs in on the same phone, online: An's report is shown as An's, and not sent
    await logIn(binh);
    await expect.poll(() => p.getByTestId('waiting').textContent()).toBe('Chờ tài khoản khác: 1');
    await p.getByTestId('tab-mine').click();
    const item = p.locator(`[data-testid="outbox-item"][data-owner="${an.username}"]`);
    expect(await item.getByTestId('outbox-owner').textContent()).toBe(
      'Chờ tài khoản Nguyễn Văn An (e2e-an) đăng nhập để gửi',
    );
    // Bình may throw it away, not send or edit it
    expect(await item.locator('button').allTextContents()).toEqual(['Bỏ']);
    await fontsLoaded(p);
    await screenshot(p, 'field-shared-phone-other-account');

    // Bình's own report goes at once; An's, older, was passed over in the same round
    await p.getByTestId('tab-new').click();
    // the reporter name An typed is An's: Bình's form does not offer it
    expect(await p.getByTestId('reporter').inputValue()).toBe('');
    const binhText = `Đèn đường tắt cả dãy — ${Date.now()}`;
    await fillReport(p, 'lighting', binhText, 2);
    await p.getByTestId('send').click();
    await p.getByTestId('sent').waitFor({ timeout: 15_000 });
    const binhNumber = await p.getByTestId('report-number').textContent();
    // filed under Bình's name (the account's, as no reporter was named), not An's
    const binhId = await p.evaluate(() => window.__field?.current.value?.receipt?.id);
    expect((await incident(String(binhId))).incident.reporter).toBe(binh.displayName);
    expect(posted).toHaveLength(1);
    expect(posted[0]).not.toContain(queued.id);
    expect(await statusOf(queued.id)).toEqual([]);
    expect((await outbox()).map((e) => e.id)).toEqual([queued.id]);

    // Bình has nothing waiting: logs out without being asked
    await logOut();
    expect(dialogs).toHaveLength(1);

    // An signs in again (a good while after writing the report): the report goes by itself,
    // operators see the reporter An named, and when An wrote it, not when it arrived;
    // An's form offers that name again. Time passing is what this step is about, not a wait for
    // something to happen: the report must arrive seconds after it was written to tell the two apart
    await p.waitForTimeout(Math.max(0, anSentAt + 5_000 - Date.now()));
    await logIn(an);
    await expect.poll(outbox, { timeout: 10_000 }).toEqual([]);
    const [stored] = await statusOf(queued.id);
    expect(stored?.number).toMatch(/^PA-\d{6}$/);
    const anIncident = await incident(stored.id);
    expect(anIncident.incident.reporter).toBe(anReporter);
    await expect.poll(() => p.getByTestId('reporter').inputValue()).toBe(anReporter);
    await ioc.audit.flush();
    const [upload] = await ioc.audit.list({ action: 'report.create', actor: an.username });
    expect(upload?.target).toBe(stored.id);
    expect(anIncident.incident.ts).toBeGreaterThanOrEqual(anSentAt);
    expect(anIncident.incident.ts).toBeLessThan(anSentAt + 2_000);
    expect(upload.ts - anIncident.incident.ts).toBeGreaterThan(4_000);
    expect(anIncident.history[0]).toMatchObject({ action: 'reported', time: anIncident.incident.ts });
    // An's "My reports" has An's report, not Bình's
    await p.getByTestId('tab-mine').click();
    /** the numbers "My reports" lists */
    const listed = () =>
      p.getByTestId('mine-item').evaluateAll((l) => l.map((e) => e.getAttribute('data-number')));
    await expect.poll(listed).toEqual([stored.number]);

    // Bình signs in again: "My reports" lists Bình's report only, not An's (nor its description)
    await logOut();
    await logIn(binh);
    await p.getByTestId('tab-mine').click();
    await expect.poll(listed).toEqual([binhNumber]);
    expect(await p.getByTestId('mine').textContent()).not.toContain(anText);
    expect(await p.getByTestId('mine').textContent()).toContain(binhText);
    expect(await p.getByTestId('tab-mine').locator('.tab-count').textContent()).toBe('1');
    await fontsLoaded(p);
    await screenshot(p, 'field-shared-phone-mine');
    expect(errors).toEqual([]);
    await shared.close();
  }, 90_000);
});
