// The leaders' dashboard in headless Chromium against the real IOC (embedded broker and database,
// simulators on, two days of history backfilled).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '#contract/cityTime.ts';
import { vi as viText } from '../client/i18n/messages.ts';
import type { RunningIoc } from '../server/main.ts';
import { type AlarmRaise, AlarmsRepo } from '../server/store/alarmsRepo.ts';
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

  it('draws the alarm system health: figures against their targets, the rate per 10 minutes, the top sources', async () => {
    const run = ioc as RunningIoc;
    const repo = new AlarmsRepo(run.db);
    const sys = (at: number) => ({ actor: 'system', at });
    const seg = run.city.segments[0];
    const jam: AlarmRaise = {
      key: `road_jam:${seg.id}`,
      rule: 'road_jam',
      priority: 3,
      latched: false,
      assetId: seg.id,
      wardId: seg.districtId ?? null,
      titleCode: 'road_jam',
      params: { segment: seg.name },
      lat: null,
      lon: null,
    };
    // a jam that comes and goes three times in 10 minutes (chattering), then 15 new incidents within a
    // minute of one 10-minute period: a flood for the one operator position
    const TEN = 10 * 60_000;
    const t0 = Math.floor((Date.now() - 40 * 60_000) / TEN) * TEN + 60_000;
    for (let i = 0; i < 3; i++) {
      await repo.raise(jam, sys(t0 + i * 3 * 60_000));
      await repo.clear(jam.key, sys(t0 + i * 3 * 60_000 + 60_000));
    }
    for (let i = 0; i < 15; i++)
      await repo.raise(
        {
          ...jam,
          key: `incident_new:e2e-${i}`,
          rule: 'incident_new',
          assetId: `e2e-${i}`,
          titleCode: 'incident_new',
          params: { number: `PA-E2E${i}` },
        },
        sys(t0 + TEN + i * 2000),
      );

    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(`${base}/dashboard?period=7d`);
    await ready();
    const section = page.getByTestId('sec-alarms');
    await section.scrollIntoViewIfNeeded();
    expect(await section.locator('h2').textContent()).toBe('Sức khỏe hệ thống cảnh báo');
    expect(await kpiText('alarmRate')).toMatch(/^\d+(,\d+)?$/);
    expect(await page.getByTestId('target-alarmRate').textContent()).toMatch(
      /^[✓✗] (Đạt|Vượt) mục tiêu ≤ 1$/,
    );
    // the busiest 10 minutes had at least the 15 seeded: over the EEMUA limit of 10
    expect(await page.getByTestId('target-alarmPeakRate').textContent()).toBe('✗ Vượt mục tiêu ≤ 10');
    expect(Number(await kpiText('alarmChattering'))).toBeGreaterThanOrEqual(1);
    expect(Number((await kpiText('alarmsRaised'))?.replace(/\./g, ''))).toBeGreaterThanOrEqual(18);

    const chart = page.getByTestId('chart-alarm-rate');
    await chart.scrollIntoViewIfNeeded();
    await chartsFitTheirBoxes(page);
    expect(await chart.locator('svg path').count()).toBeGreaterThan(3);
    const stats = await paintStats(
      page,
      (await chart.boundingBox()) as { x: number; y: number; width: number; height: number },
    );
    expect(stats.colours).toBeGreaterThan(2);
    const rows = page.getByTestId('table-alarm-sources').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    const jamRow = rows.filter({ hasText: seg.name });
    expect(await jamRow.count()).toBe(1);
    expect(await jamRow.textContent()).toContain(viText['alarm.rule.road_jam']);
    expect(await jamRow.textContent()).toContain('dao động');
    await section.evaluate((el) => el.scrollIntoView());
    await screenshot(page, 'dashboard-alarms-1600');

    // a day long ago: no alarms, said so where the chart and the table would be
    const old = localDate(Date.now() - 300 * 86_400_000);
    await page.goto(`${base}/dashboard?period=custom&from=${old}&to=${old}`);
    await ready();
    await page.getByTestId('sec-alarms').scrollIntoViewIfNeeded();
    expect(await page.getByTestId('alarm-empty').textContent()).toBe('Không có cảnh báo nào trong kỳ này');
    expect(await page.getByTestId('table-alarm-sources').locator('tbody').textContent()).toBe(
      'Không có cảnh báo nào trong kỳ này',
    );
    expect(await kpiText('alarmsRaised')).toBe('0');
    await page.getByTestId('sec-alarms').evaluate((el) => el.scrollIntoView());
    await screenshot(page, 'dashboard-alarms-empty-1600');
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
