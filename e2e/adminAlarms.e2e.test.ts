// The admin page's alarm rules and assets out of service (issue 13) at 1600×1000 in a real browser,
// against the whole IOC: the admin changes a rule's threshold in its row (an out-of-bounds one is
// refused by the server, named next to the field in Vietnamese), sees the change in the audit tab,
// resets the rule; puts a camera with an open alarm out of service (the alarm is suppressed, counted)
// and returns it to service. One IOC and one browser for the file; the tests run in order.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem, AlarmRuleSetting, OutOfServiceView } from '#contract/alarms.ts';
import { en as enText, vi as viText } from '../client/i18n/messages.ts';
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

const rules = async () =>
  ((await (await admin.fetch('/api/admin/alarm-rules')).json()) as { items: AlarmRuleSetting[] }).items;
const rule = async (code: string) => (await rules()).find((r) => r.rule === code);
const outOfService = async () =>
  ((await (await admin.fetch('/api/admin/out-of-service')).json()) as { items: OutOfServiceView[] }).items;
const alarms = async (q: string) =>
  ((await (await admin.fetch(`/api/alarms${q}`)).json()) as { items: AlarmItem[] }).items;

const ruleRow = (code: string) => page.locator(`[data-testid=rule-row][data-rule="${code}"]`);
const acceptConfirm = () => page.once('dialog', (d) => void d.accept());
const fill = (template: string, params: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');

describe('admin page: alarm rules and assets out of service', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop: stopIoc } = await startTestIoc('admin-alarms'));
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

  it('lists every rule with its name, explanation, units and who changed it (nobody yet)', async () => {
    await page.goto(`${ioc.httpUrl}/admin#alarm-rules`);
    await page.getByTestId('alarm-rules-table').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('rule-row').count()).toBe((await rules()).length);
    const jam = ruleRow('road_jam');
    expect(await jam.locator('.rule-cell b').textContent()).toBe(viText['alarm.rule.road_jam']);
    expect(await jam.locator('.rule-cell .sub').textContent()).toBe(viText['admin.alarms.desc.road_jam']);
    // shares are typed as percentages, delays in seconds
    expect(await jam.getByTestId('rule-threshold').inputValue()).toBe('30');
    expect(await jam.getByTestId('rule-delay').inputValue()).toBe('300');
    expect(await jam.getByTestId('rule-changed').textContent()).toBe(viText['admin.alarms.shipped']);
    // a rule without a threshold has no field for one
    expect(await ruleRow('camera_offline').getByTestId('rule-threshold').count()).toBe(0);
    expect(await jam.getByTestId('rule-save').isDisabled()).toBe(true);
  });

  it("refuses a threshold out of the rule's bounds: the server's refusal is named next to the field, nothing changes", async () => {
    const jam = ruleRow('road_jam');
    const threshold = jam.getByTestId('rule-threshold');
    expectedErrors.push(/400 .*\/api\/admin\/alarm-rules\/road_jam\)$/);
    await threshold.fill('95');
    // the keyboard: Enter in a field saves its row
    await threshold.press('Enter');
    const error = jam.getByTestId('rule-threshold-error');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toBe(
      fill(viText['admin.alarms.bad.range'], {
        range: '5–90',
        unit: viText['unit.shareOfLimit'],
      }),
    );
    expect(await threshold.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('toast').textContent()).toBe(
      fill(viText['admin.alarms.refused'], { name: viText['alarm.rule.road_jam'] }),
    );
    expect((await rule('road_jam'))?.threshold).toBe(0.3);
    await fontsLoaded(page);
    await screenshot(page, 'admin-alarm-rules-refused');
  });

  it('saves a good threshold: a confirmation, who changed it, and the engine has it', async () => {
    const jam = ruleRow('road_jam');
    await jam.getByTestId('rule-threshold').fill('25');
    await jam.getByTestId('rule-save').click();
    await expect
      .poll(() => page.getByTestId('toast').textContent(), { timeout: 10_000 })
      .toBe(fill(viText['admin.alarms.saved'], { name: viText['alarm.rule.road_jam'] }));
    await expect.poll(() => jam.getByTestId('rule-changed').textContent()).toContain(admin.username);
    expect(await jam.getByTestId('rule-threshold-error').count()).toBe(0);
    expect(await rule('road_jam')).toMatchObject({ threshold: 0.25, updatedBy: admin.username });
    expect(await jam.getByTestId('rule-save').isDisabled()).toBe(true);
  });

  it('shows the change in the audit tab: who, which rule, what changed', async () => {
    await page.getByTestId('tab-audit').click();
    await page.getByTestId('audit-tab').waitFor();
    await page.getByTestId('audit-action').fill('alarm_rule.update');
    const row = page.getByTestId('audit-row').filter({ hasText: 'road_jam' });
    // the audit log is written behind the request: filter again until it is there
    await expect
      .poll(
        async () => {
          await page.getByTestId('audit-apply').click();
          return row.count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    const text = await row.textContent();
    expect(text).toContain(admin.username);
    expect(text).toContain('threshold: 0.3 → 0.25');
  });

  it('resets the rule to its default once confirmed', async () => {
    await page.getByTestId('tab-alarm-rules').click();
    const jam = ruleRow('road_jam');
    await jam.waitFor({ timeout: 10_000 });
    expect(await jam.getByTestId('rule-threshold').inputValue()).toBe('25');
    acceptConfirm();
    await jam.getByTestId('rule-reset').click();
    await expect.poll(() => jam.getByTestId('rule-threshold').inputValue(), { timeout: 10_000 }).toBe('30');
    expect((await rule('road_jam'))?.threshold).toBe(0.3);
    expect(await jam.getByTestId('rule-reset').isDisabled()).toBe(true);
  });

  it("puts a camera with an open alarm out of service: the alarm is suppressed, counted, and the camera's row says why", async () => {
    const camera = ioc.city.cameras[0];
    // a camera offline alarms at once here (the shipped wait is a minute)
    const offline = await rule('camera_offline');
    const put = await admin.fetch('/api/admin/alarm-rules/camera_offline', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...offline, delayMs: 0 }),
    });
    expect(put.status).toBe(200);
    const { secret } = await ioc.devices.create('e2e-cam-gw', 'Camera gateway', [camera.id], false);
    const pub = await mqtt.connectAsync(ioc.mqttUrl, {
      clientId: `e2e-${randomUUID().slice(0, 8)}`,
      username: 'e2e-cam-gw',
      password: secret as string,
    });
    await pub.publishAsync(
      `ioc/camera/${camera.id}/status`,
      JSON.stringify({ ts: Date.now(), online: false, id: randomUUID() }),
      { qos: 1 },
    );
    await pub.endAsync();
    await expect
      .poll(
        async () => (await alarms('?rule=camera_offline')).filter((a) => a.assetId === camera.id).length,
        {
          timeout: 20_000,
        },
      )
      .toBe(1);

    await page.getByTestId('tab-out-of-service').click();
    await page.getByTestId('oos-tab').waitFor();
    await page.getByTestId('list-empty').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('list-empty').textContent()).toBe(viText['admin.oos.empty']);
    expect(await page.getByTestId('oos-intro').textContent()).toBe(viText['admin.oos.intro']);

    await page.getByTestId('oos-new').click();
    const dialog = page.getByTestId('oos-dialog');
    await dialog.waitFor();
    // nothing sent without a reason
    await dialog.getByTestId('oos-asset').fill(camera.id);
    await expect.poll(() => dialog.getByTestId('oos-picked').textContent()).toContain(camera.name);
    await dialog.getByTestId('oos-submit').click();
    await dialog.getByText(viText['admin.required']).waitFor({ timeout: 5000 });
    expect(await outOfService()).toEqual([]);
    await dialog.getByTestId('oos-reason').fill('Thay ống kính');
    await screenshot(page, 'admin-out-of-service-dialog');
    await dialog.getByTestId('oos-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    const row = page.locator(`[data-testid=oos-row][data-id="${camera.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('toast').textContent()).toBe(
      fill(viText['admin.oos.done'], { name: camera.name }),
    );
    const text = await row.textContent();
    expect(text).toContain(camera.name);
    expect(text).toContain('Thay ống kính');
    expect(text).toContain(admin.username);
    expect(text).toContain(viText['admin.oos.untilManual']);
    expect(await row.getByTestId('oos-suppressed').textContent()).toBe('1');
    expect(await outOfService()).toMatchObject([
      { assetId: camera.id, reason: 'Thay ống kính', suppressedAlarms: 1 },
    ]);
    // suppressed, not lost: still listed, flagged
    const [a] = (await alarms('?rule=camera_offline')).filter((x) => x.assetId === camera.id);
    expect(a).toMatchObject({
      state: 'unack_active',
      suppressed: { by: admin.username, reason: 'Thay ống kính' },
    });
    await fontsLoaded(page);
    await screenshot(page, 'admin-out-of-service');
  });

  it('returns the camera to service once confirmed: its alarm is no longer suppressed', async () => {
    const camera = ioc.city.cameras[0];
    const row = page.locator(`[data-testid=oos-row][data-id="${camera.id}"]`);
    acceptConfirm();
    await row.getByTestId('oos-return').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('toast').textContent()).toBe(
      fill(viText['admin.oos.returned'], { name: camera.name }),
    );
    await page.getByTestId('list-empty').waitFor();
    await screenshot(page, 'admin-out-of-service-empty');
    expect(await outOfService()).toEqual([]);
    const [a] = (await alarms('?rule=camera_offline')).filter((x) => x.assetId === camera.id);
    expect(a?.suppressed).toBeNull();
  });

  it('reads in English, rules and units included', async () => {
    await page.getByTestId('lang-toggle').click();
    await page.getByTestId('tab-alarm-rules').click();
    const jam = ruleRow('road_jam');
    await jam.waitFor({ timeout: 10_000 });
    await expect.poll(() => jam.locator('.rule-cell b').textContent()).toBe(enText['alarm.rule.road_jam']);
    expect(await page.getByTestId('tab-out-of-service').textContent()).toBe('Out of service');
    await fontsLoaded(page);
    await screenshot(page, 'admin-alarm-rules-en');
    await page.getByTestId('lang-toggle').click();
  });
});
