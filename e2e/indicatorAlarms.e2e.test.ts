// Alarms on the indicator catalogue's thresholds (issue 14) in a real browser: an agency's overdue
// dossiers and a topic's negative mentions, sent as a system would over HTTP, appear in the wall
// console's alarm list (1920×1080) in Vietnamese with the catalogue's names and units, under their type's
// filter, with no mark on the map; the admin's rules tab (1600×1000) says their thresholds come from the
// indicator catalogue.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem } from '#contract/alarms.ts';
import type { IndicatorSourceKey } from '#contract/indicatorVocab.ts';
import type { RunningIoc } from '../server/main.ts';
import { eventually } from '../server/testing/iocHarness.ts';
import { loginAs, type TestSession } from '../server/testing/sessions.ts';
import { ensureClientBuilt, launchBrowser, mapSettled, screenshot, signIn } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

let ioc: RunningIoc;
let stop: () => Promise<void>;
let browser: Browser;
let admin: TestSession;
const errors: string[] = [];

const watch = (page: Page) => {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
};

describe('indicator alarms on the console and the admin page', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop } = await startTestIoc('indicator-alarms'));
    admin = await loginAs(ioc, 'admin');
    const created = await admin.fetch('/api/admin/indicator-sources', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'portal',
        name: 'Cổng dịch vụ công',
        indicators: ['dossier_overdue', 'online_mentions'],
      }),
    });
    const { apiKey } = (await created.json()) as IndicatorSourceKey;
    const now = Date.now();
    const res = await fetch(`${ioc.httpUrl}/api/ingest/portal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({
        values: [
          { indicator: 'dossier_overdue', ts: now, agency: 'so-tu-phap', value: 23 },
          ...Array.from({ length: 16 }, (_, i) => ({
            indicator: 'online_mentions',
            ts: now - i * 1000,
            topic: 'sạt-lở',
            source: 'facebook',
            sentiment: 'negative',
            id: randomUUID(),
          })),
        ],
      }),
    });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const r = await admin.fetch('/api/alarms');
      const items = ((await r.json()) as { items: AlarmItem[] }).items;
      return items.filter((a) => a.rule.startsWith('indicator_')).length === 2;
    }, 15_000);
    ({ browser } = await launchBrowser());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('lists them in Vietnamese with the catalogue’s names and units, finds them under their type, marks nothing on the map', async () => {
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      deviceScaleFactor: 1,
    });
    await signIn(context, ioc, 'operator');
    const page = await context.newPage();
    watch(page);
    await page.goto(ioc.httpUrl);
    await page.waitForSelector('[data-testid="conn-badge"][data-status="live"]', { timeout: 60_000 });
    await page.keyboard.press('a');
    const titles = () => page.getByTestId('alarm-title').allTextContents();
    await expect
      .poll(titles, { timeout: 15_000 })
      .toContain('Hồ sơ quá hạn đang xử lý — Sở Tư pháp: 23 hồ sơ (ngưỡng nghiêm trọng 20 hồ sơ)');
    expect(await titles()).toContain(
      'Lượt đề cập trên mạng (tiêu cực) tăng vọt — chủ đề “sạt-lở”: 16 trong 1 giờ qua, gấp 3,2 lần thường lệ (5/giờ)',
    );
    await screenshot(page, 'alarms-indicators-vi');
    await page.getByTestId('alarm-filter-rule').selectOption('indicator_threshold');
    await expect.poll(() => page.getByTestId('alarm-row').count()).toBe(1);
    // no mark: the map, drawn with both alarms known, marks only alarms with a position
    await mapSettled(page);
    const drawn = await page.evaluate(() => {
      const x = (
        window as unknown as {
          __ioc: { state: { alarms: Map<string, unknown> }; view: { renders: number; marks: unknown[] } };
        }
      ).__ioc;
      return { alarms: x.state.alarms.size, renders: x.view.renders, marks: x.view.marks.length };
    });
    expect(drawn.alarms).toBe(2);
    expect(drawn.renders).toBeGreaterThan(0);
    expect(drawn.marks).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the rules tab names both rules and says their thresholds are the catalogue’s', async () => {
    const context = await browser.newContext({
      viewport: { width: 1600, height: 1000 },
      deviceScaleFactor: 1,
    });
    await signIn(context, ioc, 'admin');
    const page = await context.newPage();
    watch(page);
    await page.goto(`${ioc.httpUrl}/admin#alarm-rules`);
    await page.getByTestId('alarm-rules-table').waitFor({ timeout: 15_000 });
    const row = page.locator('[data-testid=rule-row][data-rule="indicator_threshold"]');
    expect(await row.locator('b').textContent()).toBe('Chỉ tiêu vượt ngưỡng');
    expect(await row.getByTestId('rule-threshold-catalogue').textContent()).toBe('Theo danh mục chỉ tiêu');
    const baseline = page.locator('[data-testid=rule-row][data-rule="indicator_baseline"]');
    expect(await baseline.locator('.sub').textContent()).toContain('danh mục chỉ tiêu');
    await baseline.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-alarm-rules-indicators');
    expect(errors).toEqual([]);
    await context.close();
  });
});
