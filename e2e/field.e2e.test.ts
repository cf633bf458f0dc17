// The field page on a phone (390×844, GPS inside the city) against the real IOC: a report with
// a photo, then one made offline that waits in the outbox and is sent when the network is back,
// and the operators' console that shows it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { type RunningIoc, startIoc } from '../server/main.ts';
import type { TestSession } from '../server/testing/sessions.ts';
import { ensureClientBuilt, freePort, launchBrowser, screenshot, signIn } from './support/browser.ts';

interface FieldHook {
  outbox: { value: Array<{ id: string; state: string }> };
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

let dataDir: string;
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

async function fillReport(p: Page, category: string, description: string, severity: number): Promise<void> {
  await p.getByTestId(`cat-${category}`).click();
  await expect
    .poll(() => p.getByTestId('gps-status').getAttribute('data-state'), { timeout: 10_000 })
    .toBe('ok');
  await p.getByTestId('description').fill(description);
  await p.getByTestId(`sev-${severity}`).click();
}

describe('field report page', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ioc-field-e2e-'));
    ioc = await startIoc(
      loadConfig({
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        MQTT_PORT: '0',
        DATA_DIR: dataDir,
        SIMULATE: 'false',
        BACKFILL_DAYS: '0',
        DEMO_ACCOUNTS: 'false',
        LOG_LEVEL: 'warn',
      }),
    );
    ({ browser } = await launchBrowser());
    phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      geolocation: { latitude: 13.77, longitude: 109.22, accuracy: 12 },
      permissions: ['geolocation'],
    });
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
    await ioc?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
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
    await page.getByTestId('mini-map').getAttribute('data-state');
    await expect
      .poll(() => page.getByTestId('mini-map').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('ok');
    await page.waitForTimeout(600);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'field-form-top');
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
    await row.waitFor({ timeout: 5000 });
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
    await con.waitForTimeout(800);
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
});
