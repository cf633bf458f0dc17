// The operators' wall console in headless Chromium against the real IOC (embedded broker,
// embedded database, simulators on).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { type RunningIoc, startIoc } from '../server/main.ts';
import { type MqttLogin, testDevice } from '../server/testing/iocHarness.ts';
import { simulators } from '../simulators/plugin.ts';
import {
  ensureClientBuilt,
  freePort,
  launchBrowser,
  mapSettled,
  paintStats,
  screenshot,
  signIn,
} from './support/browser.ts';

interface IocHook {
  city: { segments: Array<{ id: string; name: string }> };
  openSegment(id: string): void;
  view: { map: { querySourceFeatures(source: string): unknown[] }; drawn: number };
}
declare global {
  interface Window {
    __ioc?: IocHook;
    __noReload?: number;
  }
}

let dataDir: string;
let port: number;
let ioc: RunningIoc | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

async function start(): Promise<RunningIoc> {
  return startIoc(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      DATA_DIR: dataDir,
      SIMULATE: 'true',
      BACKFILL_DAYS: '0',
      DEMO_ACCOUNTS: 'false',
      LOG_LEVEL: 'warn',
    }),
    { simulation: simulators },
  );
}

// the embedded broker takes readings only from registered devices: one per started IOC
const logins = new WeakMap<RunningIoc, MqttLogin>();

/** Publishes the reading until the page shows it: the simulators report every segment too. */
async function publishUntilShown(segmentId: string, speedKmh: number, timeoutMs = 10_000): Promise<number> {
  const running = ioc as RunningIoc;
  let login = logins.get(running);
  if (!login) {
    login = await testDevice(running);
    logins.set(running, login);
  }
  const client = await mqtt.connectAsync(login.url, {
    clientId: `e2e-${Date.now()}`,
    username: login.username,
    password: login.password,
  });
  const started = Date.now();
  try {
    for (;;) {
      await client.publishAsync(`ioc/traffic/${segmentId}`, JSON.stringify({ ts: Date.now(), speedKmh }), {
        qos: 1,
      });
      const shown = await page
        .waitForFunction(
          (v) => document.querySelector('[data-testid="panel-speed"]')?.textContent === v,
          String(speedKmh),
          { timeout: 700, polling: 50 },
        )
        .then(() => true)
        .catch(() => false);
      if (shown) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`panel never showed ${speedKmh} km/h`);
    }
  } finally {
    await client.endAsync();
  }
}

const badge = () => page.locator('[data-testid="conn-badge"]');

describe('operators wall console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ioc-e2e-'));
    port = await freePort();
    ioc = await start();
    ({ browser, context } = await launchBrowser());
    // an operator's login (kept in DATA_DIR: it outlives the restart below)
    await signIn(context, ioc, 'operator');
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ioc?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('loads live with no console errors and draws the map', async () => {
    await page.goto((ioc as RunningIoc).httpUrl);
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
    await page.waitForFunction(() => !!window.__ioc);
    // the first readings and the world outlines arrive within a few seconds
    await expect
      .poll(async () => page.locator('[data-testid="kpi-avg-speed-value"]').textContent(), {
        timeout: 15_000,
      })
      .toMatch(/\d/);
    // the world outlines are in the map, the overlay has drawn, and the map has drawn all it has
    await page.waitForFunction(
      () => {
        const view = (window.__ioc as IocHook).view;
        return view.map.querySourceFeatures('land').length > 0 && view.drawn > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    await mapSettled(page);
    await screenshot(page, 'console-vi');
    const map = await page.locator('[data-testid="map"]').boundingBox();
    expect(map).not.toBeNull();
    const stats = await paintStats(page, map as { x: number; y: number; width: number; height: number });
    expect(stats.painted).toBeGreaterThan(0.05);
    expect(stats.colours).toBeGreaterThan(5);
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it("shows a reading published over MQTT in the segment's panel within seconds", async () => {
    const seg = await page.evaluate(() => (window.__ioc as IocHook).city.segments[3]);
    await page.evaluate((id) => (window.__ioc as IocHook).openSegment(id), seg.id);
    // the panel opens with the segment's name
    await expect.poll(() => page.locator('[data-testid="panel-name"]').textContent()).toBe(seg.name);
    const ms = await publishUntilShown(seg.id, 7);
    expect(ms).toBeLessThan(10_000);
    expect(await page.locator('[data-testid="panel-level"]').textContent()).toMatch(/Ùn tắc/);
    await screenshot(page, 'console-panel');
  }, 30_000);

  it('switches the visible labels with the language toggle, and remembers it', async () => {
    const label = page.locator('[data-testid="kpi-avg-speed"] .tile-label');
    expect(await label.textContent()).toBe('Tốc độ TB toàn thành phố');
    await page.locator('[data-testid="lang-toggle"]').click();
    expect(await label.textContent()).toBe('Average city speed');
    expect(await page.locator('[data-testid="conn-badge"]').textContent()).toBe('LIVE');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await screenshot(page, 'console-en');
    await page.reload();
    await expect.poll(() => label.textContent(), { timeout: 15_000 }).toBe('Average city speed');
    await page.locator('[data-testid="lang-toggle"]').click();
    expect(await label.textContent()).toBe('Tốc độ TB toàn thành phố');
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
  }, 40_000);

  it('turns the badge red when the server goes and recovers by itself when it is back', async () => {
    await page.evaluate(() => {
      window.__noReload = 1;
    });
    const seg = await page.evaluate(() => (window.__ioc as IocHook).city.segments[5]);
    await page.evaluate((id) => (window.__ioc as IocHook).openSegment(id), seg.id);

    const stoppedAt = Date.now();
    await (ioc as RunningIoc).stop();
    ioc = undefined;
    await expect
      .poll(() => badge().getAttribute('data-status'), { timeout: 6_000, interval: 100 })
      .toBe('offline');
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    await expect.poll(() => page.locator('[data-testid="stale-banner"]').count()).toBe(1);
    // KPIs grey out once they have not been confirmed for 10 s
    await expect
      .poll(() => page.locator('[data-testid="kpi-avg-speed"]').getAttribute('data-stale'), {
        timeout: 15_000,
      })
      .toBe('true');
    await screenshot(page, 'console-offline');

    ioc = await start();
    await expect
      .poll(() => badge().getAttribute('data-status'), { timeout: 20_000, interval: 200 })
      .toBe('live');
    expect(await page.evaluate(() => window.__noReload)).toBe(1);
    await publishUntilShown(seg.id, 9);
    await expect
      .poll(() => page.locator('[data-testid="kpi-avg-speed"]').getAttribute('data-stale'), {
        timeout: 10_000,
      })
      .toBe('false');
    expect(await page.locator('[data-testid="stale-banner"]').count()).toBe(0);
  }, 90_000);

  it('has a wall mode and a shortcut sheet on ?', async () => {
    await page.locator('[data-testid="panel-close"]').click();
    await page.keyboard.press('4');
    await page.keyboard.press('w');
    // wall mode is on, the heat layer shown, and the map has taken the room the chrome left it and drawn
    await page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLElement>('[data-testid="map"] canvas.maplibregl-canvas');
      const box = document.querySelector<HTMLElement>('[data-testid="map"]');
      return (
        document.body.classList.contains('wall-mode') &&
        document.querySelector<HTMLInputElement>('[data-testid="layer-heat"]')?.checked === true &&
        !!canvas &&
        !!box &&
        canvas.clientWidth === box.clientWidth &&
        canvas.clientHeight === box.clientHeight
      );
    });
    await mapSettled(page);
    await screenshot(page, 'console-wall');
    await page.keyboard.press('?');
    expect(await page.locator('[data-testid="help-sheet"]').isVisible()).toBe(true);
    await screenshot(page, 'console-help');
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="help-sheet"]').count()).toBe(0);
  }, 20_000);
});
