// The leaders' dashboard in headless Chromium against the real IOC (embedded broker and database,
// simulators on, two days of history backfilled).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIoc } from '../server/main.ts';
import {
  ARTIFACTS,
  chartsFitTheirBoxes,
  ensureClientBuilt,
  launchBrowser,
  paintStats,
  screenshot,
  signIn,
} from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

let stop: () => Promise<void>;
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
    // two days of simulated history, then the simulators go on live
    const started = await startTestIoc('dash', { SIMULATE: 'true', BACKFILL_DAYS: '2' });
    ({ ioc, stop } = started);
    await started.ioc.history;
    base = started.ioc.httpUrl;
    ({ browser, context } = await launchBrowser());
    leaderFetch = (await signIn(context, ioc, 'leader', base)).fetch;
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.stack ?? e.message));
  }, 180_000);

  // each test answers for the errors its page showed
  afterEach(() => {
    expect(consoleErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('shows the KPIs and draws every chart with data, in Vietnamese by default', async () => {
    await page.goto(`${base}/dashboard?period=7d`);
    await ready();
    expect(await page.locator('h1').textContent()).toBe('Báo cáo tổng hợp cho lãnh đạo');
    expect(Number((await kpiText('received'))?.replace(/\./g, ''))).toBeGreaterThan(0);
    expect(await kpiText('avgSpeed')).toMatch(/^\d+,\d$/);
    expect(await kpiText('cameraAvailability')).toMatch(/^\d+,\d$/);
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
    await chartsFitTheirBoxes(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1920, height: 1080 });
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    await writeFile(path.join(ARTIFACTS, 'dashboard.pdf'), pdf);
    expect(pdf.byteLength).toBeGreaterThan(20_000);

    await page.getByTestId('lang').click(); // back to Vietnamese
    await page.setViewportSize({ width: 1366, height: 768 });
    await ready();
    await chartsFitTheirBoxes(page);
    await screenshot(page, 'dashboard-1366');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-1366-full.png'), fullPage: true });

    // a chart's box collapsed to no width for a moment (echarts 6.1 throws on a map laid out at 0 px): no error,
    // and the ward map is drawn again when it is back
    const map = page.getByTestId('chart-map');
    await map.evaluate(
      (el) =>
        new Promise<void>((resolve) => {
          // until the chart's own ResizeObserver has seen the box at no width: observers are called
          // in the order they were made, so when this one (made later) is called, the chart's has been
          const seen = new ResizeObserver(() => {
            seen.disconnect();
            resolve();
          });
          (el as HTMLElement).style.width = '0px';
          seen.observe(el);
        }),
    );
    await map.evaluate((el) => {
      (el as HTMLElement).style.width = '';
    });
    await chartsFitTheirBoxes(page);
    expect(await map.locator('svg path').count()).toBeGreaterThan(5);
  });

  it('a CSV link whose session has ended opens the login page and saves no file (dashboard and audit log)', async () => {
    const run = ioc as RunningIoc;
    for (const { role, url, link, error } of [
      { role: 'leader', url: `${base}/dashboard?period=7d`, link: 'csv-worst', error: 'csv-error' },
      { role: 'admin', url: `${base}/admin#audit`, link: 'audit-csv', error: 'toast' },
    ] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
      const s = await signIn(ctx, run, role, base);
      const p = await ctx.newPage();
      const downloads: Download[] = [];
      p.on('download', (d) => downloads.push(d));
      await p.goto(url);
      const a = p.getByTestId(link);
      await a.waitFor({ timeout: 20_000 });
      // the link is still a link (copy link works) to the CSV
      expect(await a.getAttribute('href')).toMatch(/format=csv/);

      // signed in: the file is saved under the server's name, and it is CSV
      await a.click();
      await expect.poll(() => downloads.length, { timeout: 15_000 }).toBe(1);
      expect(downloads[0].suggestedFilename(), role).toMatch(/^ioc-[\w-]+\.csv$/);
      const saved = await readFile((await downloads[0].path()) as string, 'utf8');
      expect(saved.replace(/^\uFEFF/, '')).not.toMatch(/^\s*[{[]/);

      // the server fails: the page says so in Vietnamese, and saves nothing
      const isCsv = (u: URL) => u.searchParams.get('format') === 'csv';
      await p.route(isCsv, (r) =>
        r.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'database unavailable' } }),
        }),
      );
      await a.click();
      await expect
        .poll(() => p.getByTestId(error).textContent(), { timeout: 5000 })
        .toContain('Không tải được tệp: database unavailable');
      await screenshot(p, `csv-error-${role}`);
      await p.unroute(isCsv);

      // the session ends (revoked, as disabling the account does; or timed out): the next click logs in again
      await run.sessions.revokeUser(s.userId);
      await a.click();
      await p.waitForURL((u) => u.pathname === '/login', { timeout: 10_000 });
      const back = new URL(p.url());
      expect(back.searchParams.get('expired')).toBe('1');
      expect(back.searchParams.get('next')).toBe(
        new URL(url).pathname + new URL(url).search + new URL(url).hash,
      );
      // and no JSON error was saved as a ".csv": a file the login page saves now comes after any the
      // page saved before it left, so once it is there, nothing else came in between
      await p.evaluate(() => {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob(['marker']));
        a.download = 'marker.txt';
        document.body.append(a);
        a.click();
      });
      await expect.poll(() => downloads.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(
        downloads.map((d) => d.suggestedFilename()),
        role,
      ).toEqual([expect.stringMatching(/^ioc-[\w-]+\.csv$/), 'marker.txt']);
      await ctx.close();
    }
  }, 60_000);
});
