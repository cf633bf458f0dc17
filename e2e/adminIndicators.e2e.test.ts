// The admin page's indicator feed (issue 14) at 1600×1000 in a real browser, against the whole IOC: a CSV
// with a good and a bad row is previewed, imported, and answered (the good figure is stored and shows in the
// series, the bad row's line and reason in Vietnamese); an indicator's thresholds are edited, a refused name
// is named next to its field; a topic code is named and a source renamed; an HTTP source is created, its key shown once, and the key works. One IOC and
// one browser for the file; the tests run in order.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  INDICATOR_DOMAINS,
  type IndicatorsAnswer,
  periodLabel,
  periodStart,
} from '#contract/indicatorVocab.ts';
import { vi as viText } from '../client/i18n/messages.ts';
import type { RunningIoc } from '../server/main.ts';
import type { TestSession } from '../server/testing/sessions.ts';
import { ensureClientBuilt, fontsLoaded, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

let ioc: RunningIoc;
let stopIoc: () => Promise<void>;
let browser: Browser;
let page: Page;
let admin: TestSession;
const pageErrors: string[] = [];
/** Console errors a step provokes on purpose (a refused request): each one excuses one error. */
const expectedErrors: RegExp[] = [];

const acceptConfirm = () => page.once('dialog', (d) => void d.accept());
const fill = (template: string, params: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');

// last month, as the statistics office sends it
const lastMonthStart = periodStart('monthly', periodStart('monthly', Date.now()) - 1);
const LAST_MONTH = periodLabel('monthly', lastMonthStart);

describe('admin page: the indicator feed', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop: stopIoc } = await startTestIoc('admin-indicators'));
    const launched = await launchBrowser();
    browser = launched.browser;
    await launched.context.close();
    const context = await browser.newContext({
      viewport: { width: 1600, height: 1000 },
      deviceScaleFactor: 1,
    });
    admin = await signIn(context, ioc, 'admin');
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = `${m.text()} (${m.location().url})`;
      const i = expectedErrors.findIndex((re) => re.test(text));
      if (i >= 0) expectedErrors.splice(i, 1);
      else pageErrors.push(text);
    });
  }, 120_000);

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stopIoc?.();
  }, 60_000);

  it('previews a CSV file, imports it: the good row is stored, the bad row is named by its line and why in Vietnamese', async () => {
    await page.goto(`${ioc.httpUrl}/admin#import`);
    await page.getByTestId('import-none').waitFor({ timeout: 15_000 });
    const csv = [
      'indicator,period,value,unit',
      `budget_revenue,${LAST_MONTH},1250.5,vnd_billion`,
      `cpi,${LAST_MONTH},103.2,percent`,
      '',
    ].join('\r\n');
    await page.getByTestId('import-file').setInputFiles({
      name: 'thu-ngan-sach.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    // looked at before it is sent: its size, its lines as the import reads them
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    expect(await page.getByTestId('import-size').textContent()).toBe(`${Buffer.byteLength(csv)} B`);
    expect(await page.getByTestId('import-records').textContent()).toBe(
      fill(viText['admin.imp.records'], { n: '2' }),
    );
    expect(await preview.locator('tbody tr').count()).toBe(2);
    expect(await preview.locator('tbody tr').nth(1).locator('td').first().textContent()).toBe('3');
    await fontsLoaded(page);
    await screenshot(page, 'admin-import-preview');

    await page.getByTestId('import-send').click();
    const answer = page.getByTestId('import-answer');
    await answer.waitFor({ timeout: 15_000 });
    expect(await answer.getByTestId('import-stored').locator('.tile-n').textContent()).toBe('1');
    expect(await answer.getByTestId('import-rejected').locator('.tile-n').textContent()).toBe('1');
    const bad = answer.getByTestId('import-reject');
    expect(await bad.count()).toBe(1);
    expect(await bad.getAttribute('data-line')).toBe('3');
    expect(await bad.locator('td').first().textContent()).toBe('3');
    const why = await bad.locator('td').nth(1).textContent();
    expect(why).toContain(viText['reject.wrong_unit']);
    expect(why).toContain('đơn vị “percent” không phải đơn vị của chỉ số: index_point (điểm)');
    await screenshot(page, 'admin-import-answer');

    // the good row is stored: the month's figure shows in the series the dashboard reads
    const r = await admin.fetch(
      `/api/indicators/budget_revenue/series?from=${lastMonthStart - 86_400_000}&bucket=1d`,
    );
    const series = (await r.json()) as { points: Array<{ t: number; sum: number }> };
    expect(series.points).toEqual([expect.objectContaining({ t: lastMonthStart, sum: 1250.5 })]);
  });

  it('refuses a file over 5 MB before sending anything', async () => {
    const big = `indicator,period,value\n${'cpi,2026-01,100\n'.repeat(360_000)}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(5 * 1024 * 1024);
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: 'qua-lon.csv', mimeType: 'text/csv', buffer: Buffer.from(big) });
    await page.getByTestId('import-refused').waitFor();
    expect(await page.getByTestId('import-refused').textContent()).toBe(
      fill(viText['admin.imp.tooLarge'], { max: '5 MB' }),
    );
    expect(await page.getByTestId('import-send').isDisabled()).toBe(true);
  });

  it('shows the catalogue by service; edits an indicator’s thresholds; a name the server refuses is named next to its field', async () => {
    await page.getByTestId('tab-indicators').click();
    const row = page.locator('[data-testid=ind-row][data-id=dossier_overdue]');
    await row.waitFor({ timeout: 10_000 });
    // one group per service of the centre, in the catalogue's order, each named in Vietnamese
    expect(
      await page.getByTestId('ind-group').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-domain'))),
    ).toEqual([...INDICATOR_DOMAINS]);
    expect(await page.getByTestId('ind-group').locator('.group-title').first().textContent()).toContain(
      viText['domain.public_services'],
    );
    expect(await row.getByTestId('ind-thresholds').textContent()).toContain(
      'cảnh báo ≥ 10 hồ sơ · nguy cấp ≥ 20 hồ sơ',
    );
    await fontsLoaded(page);
    // at 1600 px every tab's Vietnamese label stands on one line, all of them in view
    const tabs = await page.locator('.tabs').evaluate((bar) => ({
      fits: bar.scrollWidth <= bar.clientWidth,
      broken: [...bar.querySelectorAll<HTMLElement>('.tab')]
        .filter((t) => {
          const range = document.createRange();
          range.selectNodeContents(t);
          return range.getClientRects().length > 1;
        })
        .map((t) => t.textContent),
    }));
    expect(tabs).toEqual({ fits: true, broken: [] });
    await screenshot(page, 'admin-indicators');

    await row.getByTestId('ind-edit').click();
    const dialog = page.getByTestId('ind-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('ind-warning').fill('12,5');
    // longer than the server takes (200): its refusal comes back as this field's, in Vietnamese
    expectedErrors.push(/400 .*\/api\/admin\/indicators\/dossier_overdue\)$/);
    await dialog.getByTestId('ind-nameVi').fill('Hồ sơ quá hạn '.repeat(20));
    await dialog.getByTestId('ind-submit').click();
    const refused = dialog.getByTestId('ind-nameVi-error');
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.textContent()).toBe(viText['admin.ind.bad.name']);
    expect(await dialog.getByTestId('ind-nameVi').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'admin-indicator-refused');
    await dialog.getByTestId('ind-nameVi').fill('Hồ sơ quá hạn đang xử lý');
    await dialog.getByTestId('ind-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    await expect
      .poll(() => row.getByTestId('ind-thresholds').textContent())
      .toContain('cảnh báo ≥ 12,5 hồ sơ');
    const stored = (await (await admin.fetch('/api/admin/indicators')).json()) as {
      items: Array<{ id: string; thresholds: { warning: number } }>;
    };
    expect(stored.items.find((d) => d.id === 'dossier_overdue')?.thresholds.warning).toBe(12.5);
  });

  it('names a new topic code and renames a source beside the agencies; the names are what GET /api/indicators answers', async () => {
    const labels = page.getByTestId('labels');
    const news = labels.locator('[data-testid=label-row][data-dimension=source][data-code=news]');
    await news.waitFor({ timeout: 10_000 });
    expect(await news.textContent()).toContain('Báo điện tử');
    // a topic media monitoring began to send before anyone named it
    await labels.getByTestId('label-new').click();
    const dialog = page.getByTestId('label-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('label-code').fill('le-hoi');
    await dialog.getByTestId('label-nameVi').fill('Lễ hội');
    await dialog.getByTestId('label-nameEn').fill('Festivals');
    await dialog.getByTestId('label-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    const festival = labels.locator('[data-testid=label-row][data-dimension=topic][data-code=le-hoi]');
    await festival.waitFor({ timeout: 10_000 });
    await news.getByTestId('label-rename').click();
    await dialog.waitFor();
    expect(await dialog.getByTestId('label-code').isDisabled()).toBe(true);
    await dialog.getByTestId('label-nameVi').fill('Báo, tạp chí điện tử');
    await dialog.getByTestId('label-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(() => news.textContent()).toContain('Báo, tạp chí điện tử');
    await screenshot(page, 'admin-labels');
    const read = (await (await admin.fetch('/api/indicators')).json()) as IndicatorsAnswer;
    expect(read.labels).toContainEqual({
      dimension: 'topic',
      code: 'le-hoi',
      nameVi: 'Lễ hội',
      nameEn: 'Festivals',
    });
    expect(read.labels).toContainEqual({
      dimension: 'source',
      code: 'news',
      nameVi: 'Báo, tạp chí điện tử',
      nameEn: 'Online news',
    });
  });

  it('creates an HTTP source: its key is shown once, works at /api/ingest, and is never shown again', async () => {
    await page.getByTestId('tab-sources').click();
    await page.getByTestId('list-empty').waitFor({ timeout: 10_000 });
    await page.getByTestId('source-new').click();
    const dialog = page.getByTestId('source-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('src-id').fill('cuc-thong-ke');
    await dialog.getByTestId('src-name').fill('Cục Thống kê Bình Định');
    await dialog.getByTestId('src-ind-cpi').check();
    await dialog.getByTestId('src-ind-budget_revenue').check();
    await dialog.getByTestId('source-submit').click();
    const secret = page.getByTestId('secret-dialog');
    await secret.waitFor({ timeout: 10_000 });
    const key = await secret.getByTestId('source-key').inputValue();
    expect(key.length).toBeGreaterThanOrEqual(20);
    expect(await secret.getByTestId('source-curl').inputValue()).toContain(`-H 'x-api-key: ${key}'`);
    expect(await secret.textContent()).toContain(viText['admin.once']);
    await screenshot(page, 'admin-source-key');
    await page.getByTestId('secret-close').click();
    await secret.waitFor({ state: 'detached' });

    const row = page.locator('[data-testid=source-row][data-id=cuc-thong-ke]');
    await row.waitFor();
    expect(await page.content()).not.toContain(key);
    await page.getByTestId('source-howto').locator('summary').click();
    await fontsLoaded(page);
    await screenshot(page, 'admin-sources');

    // the key works, for the indicators the source may send
    const sent = await fetch(`${ioc.httpUrl}/api/ingest/cuc-thong-ke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ values: [{ indicator: 'cpi', period: LAST_MONTH, value: 103.2 }] }),
    });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ stored: 1, rejected: 0 });

    // revoked: the key no longer works
    acceptConfirm();
    await row.getByTestId('source-revoke').click();
    await expect.poll(() => row.getByTestId('status').textContent()).toBe(viText['admin.src.revoked']);
    const refused = await fetch(`${ioc.httpUrl}/api/ingest/cuc-thong-ke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ values: [{ indicator: 'cpi', period: LAST_MONTH, value: 103.2 }] }),
    });
    expect(refused.status).toBe(401);
  });
});
