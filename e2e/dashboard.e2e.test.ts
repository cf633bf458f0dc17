// The leaders' dashboard in headless Chromium against the real IOC (embedded broker and database,
// simulators on, two days of history backfilled).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate, localDayStart } from '#contract/cityTime.ts';
import type { IndicatorSourceKey, IngestAnswer } from '#contract/indicatorVocab.ts';
import type { DossierFigures, MentionFigures, SocioEconomicFigure } from '#contract/servicesApi.ts';
import { vi as viText } from '../client/i18n/messages.ts';
import type { RunningIoc } from '../server/main.ts';
import { type AlarmRaise, AlarmsRepo } from '../server/store/alarmsRepo.ts';
import { loginAs } from '../server/testing/sessions.ts';
import { eventually } from '../server/testing/wait.ts';
import { expectNoSeriousA11y } from './support/a11y.ts';
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
  }, 300_000);

  // each test answers for the errors its page showed
  afterEach(() => {
    expect(consoleErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('shows the KPIs and draws every chart with data, in Vietnamese by default', async () => {
    await page.goto(`${base}/dashboard?tab=traffic&period=7d`);
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
    await expectNoSeriousA11y(page, 'the dashboard (traffic tab, 7 days of figures)');
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
    await page.goto(`${base}/dashboard?tab=traffic&period=7d`);
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
    await page.goto(`${base}/dashboard?tab=traffic&period=7d`);
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
    await page.goto(`${base}/dashboard?tab=traffic&period=custom&from=${old}&to=${old}`);
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

  describe('the service tabs on figures fed through the real HTTP ingest and CSV import', () => {
    /** "2026-11" for k months before this one (city time) */
    const monthBack = (k: number) => {
      const [y, m] = localDate(Date.now()).split('-').map(Number) as [number, number];
      const i = y * 12 + (m - 1) - k;
      return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
    };
    const lastQuarter = (() => {
      const [y, m] = localDate(Date.now()).split('-').map(Number) as [number, number];
      const q = Math.floor((m - 1) / 3);
      return q === 0 ? `${y - 1}-Q4` : `${y}-Q${q}`;
    })();
    let wards: Array<{ id: string; name: string }>;

    // an IOC of its own without simulators: the simulated offices, portal and media monitor would add their
    // figures to the fed ones (and publish the statistics office's months at start); the outer one's back after
    let outer: {
      ioc: typeof ioc;
      base: string;
      context: BrowserContext;
      page: Page;
      leaderFetch: typeof fetch;
    };
    let stopFed: () => Promise<void>;

    beforeAll(async () => {
      outer = { ioc, base, context, page, leaderFetch };
      const fed = await startTestIoc('dash-svc', { SIMULATE: 'false' });
      stopFed = fed.stop;
      ioc = fed.ioc;
      base = fed.ioc.httpUrl;
      context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
      leaderFetch = (await signIn(context, ioc, 'leader', base)).fetch;
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.stack ?? e.message));
      const run = ioc as RunningIoc;
      wards = run.city.districts.slice(0, 2).map((d) => ({ id: d.id, name: d.name }));
      const admin = await loginAs(run, 'admin');
      const post = (url: string, body: unknown) =>
        admin.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      // two systems with their keys: the one-stop-shop portal and the media monitor
      const key = async (id: string, indicators: string[]) => {
        const r = await post('/api/admin/indicator-sources', { id, name: id, indicators, ratePerMin: 600 });
        expect(r.status).toBe(201);
        return ((await r.json()) as IndicatorSourceKey).apiKey;
      };
      const send = async (source: string, apiKey: string, values: unknown[]) => {
        const r = await fetch(`${base}/api/ingest/${source}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ values }),
        });
        const a = (await r.json()) as IngestAnswer;
        expect(a.rejected, JSON.stringify(a.rows.filter((x) => x.status === 'rejected'))).toBe(0);
      };
      // events of the last half hour: today in the city, unless the test runs in its first half hour
      const t0 = Math.max(Date.now() - 30 * 60_000, localDayStart(Date.now()) + 60_000);
      let n = 0;
      const ev = (indicator: string, agency: string, ward: string, extra: Record<string, string> = {}) => ({
        indicator,
        ts: t0 + n * 1000,
        agency,
        ward,
        id: `e2e-${++n}`,
        ...extra,
      });
      const times = <T>(k: number, f: () => T) => Array.from({ length: k }, f);
      const [w1, w2] = wards.map((w) => w.id) as [string, string];
      // Sở Tư pháp: 10 received in ward 1 (6 online), 8 on time, 2 late, 1 returned, 3 overdue now;
      // Sở Xây dựng: 5 received at the counter in ward 2, 3 on time, 3 late, 25 overdue now (critical from 20)
      const portal = await key('mot-cua-e2e', [
        'dossier_received',
        'dossier_resolved_on_time',
        'dossier_resolved_late',
        'dossier_returned',
        'dossier_overdue',
      ]);
      await send('mot-cua-e2e', portal, [
        ...times(6, () => ev('dossier_received', 'so-tu-phap', w1, { channel: 'online' })),
        ...times(4, () => ev('dossier_received', 'so-tu-phap', w1, { channel: 'counter' })),
        ...times(8, () => ev('dossier_resolved_on_time', 'so-tu-phap', w1)),
        ...times(2, () => ev('dossier_resolved_late', 'so-tu-phap', w1)),
        ev('dossier_returned', 'so-tu-phap', w1),
        ...times(5, () => ev('dossier_received', 'so-xay-dung', w2, { channel: 'counter' })),
        ...times(3, () => ev('dossier_resolved_on_time', 'so-xay-dung', w2)),
        ...times(3, () => ev('dossier_resolved_late', 'so-xay-dung', w2)),
        { indicator: 'dossier_overdue', ts: t0, agency: 'so-tu-phap', value: 3 },
        { indicator: 'dossier_overdue', ts: t0, agency: 'so-xay-dung', value: 25 },
      ]);
      // mentions: "ngap-lut" 6 negative, 2 neutral, 1 positive on facebook; "du-lich" 4 positive, 1 neutral in the press
      const monitor = await key('bao-chi-e2e', ['online_mentions']);
      const m = (topic: string, source: string, sentiment: string) => ({
        indicator: 'online_mentions',
        ts: t0 + n * 1000,
        topic,
        source,
        sentiment,
        id: `m-${++n}`,
      });
      await send('bao-chi-e2e', monitor, [
        ...times(6, () => m('ngap-lut', 'facebook', 'negative')),
        ...times(2, () => m('ngap-lut', 'facebook', 'neutral')),
        m('ngap-lut', 'facebook', 'positive'),
        ...times(4, () => m('du-lich', 'bao-dien-tu', 'positive')),
        m('du-lich', 'bao-dien-tu', 'neutral'),
      ]);
      // the statistics office's spreadsheet, through the admin's CSV import
      const csv = [
        'indicator,period,value,unit',
        `budget_revenue,${monthBack(2)},1200,vnd_billion`,
        `budget_revenue,${monthBack(1)},1500,vnd_billion`,
        `budget_revenue,${monthBack(13)},1250,vnd_billion`,
        `cpi,${monthBack(1)},103.2,index_point`,
        `cpi,${monthBack(13)},102,index_point`,
        `grdp_growth,${lastQuarter},7.1,percent`,
      ].join('\n');
      const imported = await admin.fetch('/api/admin/indicators/import', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      expect(((await imported.json()) as IngestAnswer).stored).toBe(6);
      // the aggregates take the figures in seconds: wait for the dashboard's API to have them all
      await eventually(
        async () => {
          const ps = await (
            await leaderFetch(`${base}/api/dashboard/public-services/agencies?${todayQuery()}`)
          ).json();
          const oi = await (
            await leaderFetch(`${base}/api/dashboard/online-information/topics?${todayQuery()}`)
          ).json();
          const se = await (
            await leaderFetch(`${base}/api/dashboard/socio-economic/indicators?${todayQuery()}`)
          ).json();
          const recv = (ps.items as DossierFigures[]).reduce((a, r) => a + r.received, 0);
          const ment = (oi.items as MentionFigures[]).reduce((a, r) => a + r.mentions, 0);
          const socio = (se.items as SocioEconomicFigure[]).filter((r) => r.latest !== null).length;
          return recv === 15 && ment === 14 && socio === 3;
        },
        30_000,
        'the fed figures in the dashboard API',
        500,
      );
      await page.setViewportSize({ width: 1600, height: 1000 });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await stopFed?.();
      ({ ioc, base, context, page, leaderFetch } = outer);
    });

    const todayQuery = () => {
      const from = localDayStart(Date.now());
      return `from=${new Date(from).toISOString()}&to=${new Date(from + 86_400_000).toISOString()}`;
    };
    const text = (id: string) => page.getByTestId(id).textContent();
    const rowsOf = async (id: string) =>
      page
        .getByTestId(id)
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
        );

    it('summary: opens by default with the city and each service, and its tiles link to their tabs by keyboard', async () => {
      await page.goto(`${base}/dashboard?period=today`);
      await ready();
      expect(await page.getByTestId('tab-summary').getAttribute('aria-selected')).toBe('true');
      expect(Number((await kpiText('received'))?.replace(/\./g, ''))).toBeGreaterThanOrEqual(0);
      expect(await kpiText('peakSpeed')).toMatch(/^(\d+,\d|—)$/);
      // this month's on-time rate: 11 of 16 resolved on time = 68,75 %, under the catalogue's critical 90
      expect(await text('tile-value-public_services')).toBe('68,8');
      expect(await text('tile-level-public_services')).toContain('Nghiêm trọng');
      expect(await text('span-public_services')).toMatch(/^tháng \d{1,2}\/\d{4}$/);
      expect(await text('tile-secondary-public_services')).toBe('Hồ sơ quá hạn hiện tại: 28 hồ sơ');
      // today's negative share: 6 of 14
      expect(await text('tile-value-online_information')).toBe('42,9');
      expect(await text('tile-secondary-online_information')).toBe('Lượt đề cập hôm nay: 14 lượt đề cập');
      expect(await text('tile-value-socio_economic')).toBe('7,1');
      await screenshot(page, 'dashboard-summary-1600');

      // keyboard: the selected tab is the one stop; arrows move and open the tabs
      await page.getByTestId('tab-summary').focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForURL(/tab=traffic/);
      await page.keyboard.press('ArrowRight');
      await page.waitForURL(/tab=public-services/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-public-services');
      await ready();
      expect(await page.getByTestId('tab-public-services').getAttribute('aria-selected')).toBe('true');
    });

    it('public services: KPIs, the day chart, agencies ranked with their overdue level, the wards; CSV like the other cards', async () => {
      await page.goto(`${base}/dashboard?tab=public-services&period=today`);
      await ready();
      expect(await kpiText('ps-received')).toBe('15');
      expect(await kpiText('ps-onTimeRate')).toBe('68,8');
      expect(await kpiText('ps-onlineShare')).toBe('40,0');
      expect(await kpiText('ps-overdueNow')).toBe('28');
      expect(await text('level-ps-overdueNow')).toContain('Nghiêm trọng');
      expect(await page.getByTestId('kpi-ps-onTimeRate').locator('.kpi-unit').textContent()).toBe('%');
      const chart = page.getByTestId('chart-dossiers');
      expect(await chart.locator('svg path').count()).toBeGreaterThan(3);
      const agencies = await rowsOf('table-agencies');
      expect(agencies.map((r) => [r[0], r[1], r[2], r[3], r[4], r[6], r[8]])).toEqual([
        ['1', 'Sở Tư pháp', '10', '8', '2', '80,0%', '3'],
        ['2', 'Sở Xây dựng', '5', '3', '3', '50,0%', '25'],
      ]);
      expect(agencies[1]?.[9]).toContain('Nghiêm trọng');
      const ward = (await rowsOf('table-ps-wards')).find((r) => r[1] === wards[0]?.name);
      expect(ward?.slice(2, 8)).toEqual(['10', '8', '2', '1', '80,0%', '60,0%']);
      const href = (await page.getByTestId('csv-psAgencies').getAttribute('href')) as string;
      // the CSV has every agency, as the JSON does (the table leaves those without a dossier out)
      const csv = await (await leaderFetch(base + href)).text();
      const json = (await (await leaderFetch(base + href.replace('&format=csv', ''))).json()) as {
        items: DossierFigures[];
      };
      expect(csv.trim().split('\r\n')).toHaveLength(json.items.length + 1);
      expect(csv).toContain('so-tu-phap');
      await screenshot(page, 'dashboard-public-services-1600');
    });

    it('online information: KPIs, mentions by sentiment per hour, hot topics and sources', async () => {
      await page.goto(`${base}/dashboard?tab=online-information&period=today`);
      await ready();
      expect(await kpiText('oi-mentions')).toBe('14');
      expect(await kpiText('oi-negative')).toBe('6');
      expect(await kpiText('oi-negativeShare')).toBe('42,9');
      expect(await page.locator('h3', { hasText: 'mỗi giờ' }).count()).toBe(1);
      const chart = page.getByTestId('chart-mentions');
      const stats = await paintStats(
        page,
        (await chart.boundingBox()) as { x: number; y: number; width: number; height: number },
      );
      expect(stats.colours).toBeGreaterThan(2);
      // topics are counted in topics, not mentions
      expect(await kpiText('oi-topics')).toBe('2');
      expect(await page.getByTestId('kpi-oi-topics').locator('.kpi-unit').textContent()).toBe('chủ đề');
      // named codes read as their names (sql/019); a code nobody named yet as sent
      const topics = await rowsOf('table-topics');
      expect(topics.map((r) => r.slice(0, 5))).toEqual([
        ['1', 'ngap-lut', '9', '6', '66,7%'],
        ['2', 'Du lịch', '5', '0', '0,0%'],
      ]);
      const sources = await rowsOf('table-sources');
      expect(sources.map((r) => r.slice(1, 3))).toEqual([
        ['Facebook', '9'],
        ['bao-dien-tu', '5'],
      ]);
      await screenshot(page, 'dashboard-online-information-1600');
    });

    it('socio-economic: each indicator against the period before, last year and the year so far; a chart per one chosen', async () => {
      await page.goto(`${base}/dashboard?tab=socio-economic&period=7d`);
      await ready();
      const rows = await rowsOf('table-se');
      const budget = rows.find((r) => r[1] === 'Thu ngân sách nhà nước trên địa bàn');
      // the latest month 1.500 against 1.200 before and 1.250 a year earlier: +20 %; the year so far sums the
      // year's months
      const sameYear = monthBack(2).slice(0, 4) === monthBack(1).slice(0, 4);
      expect(budget?.slice(2, 8)).toEqual([
        `tháng ${Number(monthBack(1).slice(5))}/${monthBack(1).slice(0, 4)}`,
        '1.500,0 tỷ đồng',
        '1.200,0',
        '1.250,0',
        '+20,0%',
        sameYear ? '2.700,0' : '1.500,0',
      ]);
      const cpi = rows.find((r) => r[1]?.startsWith('Chỉ số giá tiêu dùng'));
      expect(cpi?.[3]).toBe('103,2 điểm');
      // an index adds up as its latest figure
      expect(cpi?.[7]).toBe('103,2');
      // the first two indicators of the table are charted by default; choosing GRDP adds its chart and the
      // URL keeps the choice
      expect(await page.getByTestId('se-pick-cpi').isChecked()).toBe(true);
      await page.getByTestId('chart-se-cpi').waitFor();
      await page.getByTestId('se-pick-grdp_growth').check();
      await page.waitForURL(/indicators=[^&]*grdp_growth/);
      const chart = page.getByTestId('chart-se-grdp_growth');
      await chart.waitFor();
      await chartsFitTheirBoxes(page);
      expect(await chart.locator('svg path').count()).toBeGreaterThan(3);
      await page.getByTestId('se-chart-grdp_growth').scrollIntoViewIfNeeded();
      await screenshot(page, 'dashboard-socio-economic-1600');
      await page.getByTestId('lang').click();
      await page.waitForFunction(
        () => document.querySelector('h1')?.textContent === "Leaders' summary report",
      );
      expect(await page.getByTestId('tab-socio-economic').textContent()).toBe('Socio-economic');
      expect(await page.getByTestId('table-se').textContent()).toContain('State budget revenue');
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'dashboard-socio-economic-1600-en');
      await page.getByTestId('lang').click();
    }, 60_000);

    it("a tab with nothing in its period says so, and a failure is said in the reader's language", async () => {
      const old = localDate(Date.now() - 20 * 86_400_000);
      await page.goto(`${base}/dashboard?tab=public-services&period=custom&from=${old}&to=${old}`);
      await ready();
      expect(await text('ps-empty')).toBe('Không có hồ sơ nào trong kỳ này');
      expect(await page.getByTestId('table-agencies').locator('tbody').textContent()).toBe(
        'Không có hồ sơ nào trong kỳ này',
      );
      // on a page of its own: the browser logs the failed request as a console error
      const other = await context.newPage();
      await other.route(/online-information\/kpis/, (r) =>
        r.fulfill({
          status: 503,
          contentType: 'application/json',
          body: '{"error":{"code":"db_down","message":"database unavailable"}}',
        }),
      );
      await other.goto(`${base}/dashboard?tab=online-information&period=today`);
      await expect
        .poll(() => other.getByTestId('load-error').textContent())
        .toBe('Không tải được số liệu: máy chủ gặp lỗi (mã 503). Thử lại sau ít phút.');
      await other.getByTestId('lang').click();
      await expect
        .poll(() => other.getByTestId('load-error').textContent())
        .toBe('Could not load the figures: the server failed (code 503). Try again in a few minutes.');
      await other.getByTestId('lang').click();
      await other.close();
      // the print of a tab names it and leaves the tabs out
      await page.goto(`${base}/dashboard?tab=public-services&period=today`);
      await ready();
      await page.emulateMedia({ media: 'print' });
      expect(await page.getByTestId('tabs').isVisible()).toBe(false);
      expect(await page.getByTestId('period-line').textContent()).toMatch(/^Dịch vụ công · Kỳ báo cáo/);
      await page.emulateMedia({ media: 'screen' });
    });
  });

  it('a CSV link whose session has ended opens the login page and saves no file (dashboard and audit log)', async () => {
    const run = ioc as RunningIoc;
    for (const { role, url, link, error } of [
      {
        role: 'leader',
        url: `${base}/dashboard?tab=traffic&period=7d`,
        link: 'csv-worst',
        error: 'csv-error',
      },
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
