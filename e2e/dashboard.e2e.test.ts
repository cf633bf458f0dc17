// The leaders' dashboard in headless Chromium against the real IOC (embedded broker and database,
// simulators on, two days of history backfilled).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { type RunningIoc, startIoc } from '../server/main.ts';
import {
  ARTIFACTS,
  ensureClientBuilt,
  freePort,
  launchBrowser,
  paintStats,
  screenshot,
  signIn,
} from './support/browser.ts';

let dataDir: string;
let ioc: RunningIoc | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let leaderFetch: typeof fetch;
const consoleErrors: string[] = [];

const ready = () => page.waitForSelector('[data-ready="true"]', { timeout: 20_000 });
const kpiText = (key: string) => page.getByTestId(`kpi-value-${key}`).textContent();

describe("leaders' dashboard", () => {
  beforeAll(async () => {
    ensureClientBuilt();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ioc-e2e-dash-'));
    const port = await freePort();
    ioc = await startIoc(
      loadConfig({
        PORT: String(port),
        HOST: '127.0.0.1',
        MQTT_PORT: '0',
        DATA_DIR: dataDir,
        SIMULATE: 'true',
        BACKFILL_DAYS: '2',
        DEMO_ACCOUNTS: 'false',
        LOG_LEVEL: 'warn',
      }),
    );
    await ioc.history;
    base = `http://127.0.0.1:${port}`;
    ({ browser, context } = await launchBrowser());
    leaderFetch = (await signIn(context, ioc, 'leader', base)).fetch;
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ioc?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the KPIs and draws every chart with data, in Vietnamese by default', async () => {
    await page.goto(`${base}/dashboard?period=7d`);
    await ready();
    expect(await page.locator('h1').textContent()).toBe('Báo cáo tổng hợp cho lãnh đạo');
    expect(Number((await kpiText('received'))?.replace(/\./g, ''))).toBeGreaterThan(0);
    expect(await kpiText('avgSpeed')).toMatch(/^\d+,\d$/);
    expect(await kpiText('cameraAvailability')).toMatch(/^\d+(,\d)?$/);
    for (const id of [
      'chart-speed',
      'chart-incidents',
      'chart-categories',
      'chart-sources',
      'chart-map',
      'chart-calendar',
    ]) {
      const chart = page.getByTestId(id);
      await chart.scrollIntoViewIfNeeded();
      // SVG renderer: the chart is drawn as paths, and painted in several colours
      expect(await chart.locator('svg path').count(), id).toBeGreaterThan(5);
      const box = (await chart.boundingBox()) as { x: number; y: number; width: number; height: number };
      const stats = await paintStats(page, box);
      expect(stats.painted, id).toBeGreaterThan(0.03);
      expect(stats.colours, id).toBeGreaterThan(2);
    }
    expect(await page.getByTestId('table-worst').locator('tbody tr').count()).toBe(10);
    expect(await page.getByTestId('table-cameras').locator('tbody tr').count()).toBe(10);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'dashboard-1920');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-1920-full.png'), fullPage: true });
  });

  it('switching the period changes the figures and the URL; a shared URL opens the same view', async () => {
    const week = await kpiText('received');
    await page.getByTestId('period-today').click();
    await page.waitForURL(/period=today/);
    await ready();
    await page.waitForFunction(
      (w) => document.querySelector('[data-testid="kpi-value-received"]')?.textContent !== w,
      week,
    );
    const today = await kpiText('received');
    expect(Number(today?.replace(/\./g, ''))).toBeLessThan(Number(week?.replace(/\./g, '')));

    const districtId = await page.getByTestId('district').locator('option').nth(1).getAttribute('value');
    await page.getByTestId('district').selectOption(districtId as string);
    await page.waitForURL(new RegExp(`district=${districtId}`));
    await ready();
    const shared = page.url();
    const other = await context.newPage();
    await other.goto(shared);
    await other.waitForSelector('[data-ready="true"]');
    expect(await other.getByTestId('district').inputValue()).toBe(districtId);
    expect(await other.getByTestId('period-today').getAttribute('aria-pressed')).toBe('true');
    await other.close();

    // the CSV link is the same figures as the JSON, with a BOM
    const href = (await page.getByTestId('csv-worst').getAttribute('href')) as string;
    const csv = new Uint8Array(await (await leaderFetch(base + href)).arrayBuffer());
    expect([...csv.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const json = (await (await leaderFetch(base + href.replace('&format=csv', ''))).json()) as {
      items: unknown[];
    };
    expect(new TextDecoder().decode(csv).trim().split('\r\n')).toHaveLength(json.items.length + 1);
  });

  it('switches to English and remembers it; prints without controls', async () => {
    await page.goto(`${base}/dashboard?period=7d`);
    await ready();
    await page.getByTestId('lang').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === "Leaders' summary report");
    await page.reload();
    await ready();
    expect(await page.locator('h1').textContent()).toBe("Leaders' summary report");
    expect(await page.getByTestId('chart-speed').locator('svg path').count()).toBeGreaterThan(5);
    await screenshot(page, 'dashboard-1920-en');

    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('controls').isVisible()).toBe(false);
    expect(await page.getByTestId('csv-series').first().isVisible()).toBe(false);
    // what the printed page looks like: A4 landscape at 96 dpi less the margins
    await page.setViewportSize({ width: 1047, height: 718 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1920, height: 1080 });
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    await writeFile(path.join(ARTIFACTS, 'dashboard.pdf'), pdf);
    expect(pdf.byteLength).toBeGreaterThan(20_000);

    await page.getByTestId('lang').click(); // back to Vietnamese
    await page.setViewportSize({ width: 1366, height: 768 });
    await ready();
    await page.waitForTimeout(300); // charts follow their boxes
    await screenshot(page, 'dashboard-1366');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-1366-full.png'), fullPage: true });
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });
});
