// The admin page (/admin) at 1920×1080 in a real browser, as an admin signed in through the login
// page: accounts (create with a password shown once, change role, disable; the checks on the
// server side) and MQTT devices (create with a secret shown once, rotate it; the checks on the
// embedded broker). One IOC and one browser for the whole file; the tests run in order.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { vi as viText } from '../client/i18n/messages.ts';
import type { RunningIoc } from '../server/main.ts';
import { login } from '../server/testing/sessions.ts';
import { expectNoSeriousA11y } from './support/a11y.ts';
import { ensureClientBuilt, launchBrowser, screenshot } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

const ADMIN = 'e2e-admin';
const ADMIN_PASSWORD = 'quản trị đủ dài 2026';
const OPERATOR = 'lan.nguyen';
const DEVICE = 'cam-gw-7';

let ioc: RunningIoc;
let stopIoc: () => Promise<void>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Console errors that a step provokes on purpose (a refused request): each one excuses one error. */
const expectedErrors: RegExp[] = [];

/** The password the page showed for the operator it created. */
let operatorPassword: string;
/** The secret the page showed for the device it created. */
let deviceSecret: string;

/** One MQTT connection attempt, no reconnect: the CONNACK return code (5: not authorized), or 'connected'. */
async function mqttConnect(username: string, password: string): Promise<number | string> {
  try {
    const c = await mqtt.connectAsync(ioc.mqttUrl, {
      clientId: `e2e-${randomUUID().slice(0, 8)}`,
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    await c.endAsync(true);
    return 'connected';
  } catch (err) {
    return (err as { code?: number }).code ?? String(err);
  }
}

/** Answers the page's next confirm() with OK. */
const acceptConfirm = () => page.once('dialog', (d) => void d.accept());

const userRow = (username: string) => page.locator(`[data-testid=user-row][data-username="${username}"]`);
const deviceRow = (id: string) => page.locator(`[data-testid=device-row][data-id="${id}"]`);

/** The values shown once in the secret dialog, by their fields' testids; then closes it. */
async function readSecretDialog(...testIds: string[]): Promise<string[]> {
  const dialog = page.getByTestId('secret-dialog');
  await dialog.waitFor({ timeout: 10_000 });
  const values = [];
  for (const id of testIds) values.push(await dialog.getByTestId(id).inputValue());
  await page.getByTestId('secret-close').click();
  await dialog.waitFor({ state: 'detached', timeout: 5000 });
  return values;
}

describe('admin page: users and devices', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop: stopIoc } = await startTestIoc('admin'));
    await ioc.users.create({
      username: ADMIN,
      displayName: 'E2E Quản trị',
      role: 'admin',
      password: ADMIN_PASSWORD,
    });
    const launched = await launchBrowser();
    browser = launched.browser;
    page = await launched.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = `${m.text()} (${m.location().url})`;
      const i = expectedErrors.findIndex((re) => re.test(text));
      if (i >= 0) expectedErrors.splice(i, 1);
      else pageErrors.push(text);
    });
  }, 120_000);

  // each test answers for the errors its page showed (a failed script, a CSP violation, a crash)
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stopIoc?.();
  }, 60_000);

  it('signs in through the login page and lands on the users tab, where its own row can be neither disabled nor given another role', async () => {
    // the login page asks whether there is a session before there is one
    expectedErrors.push(/401 .*\/api\/auth\/me\)$/);
    await page.goto(`${ioc.httpUrl}/admin`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('#login-username').fill(ADMIN);
    await page.locator('#login-password').fill(ADMIN_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/admin', { timeout: 15_000 });
    await page.getByTestId('users-table').waitFor({ timeout: 15_000 });
    const me = userRow(ADMIN);
    await expect.poll(() => me.getByTestId('user-role-select').isDisabled()).toBe(true);
    expect(await me.getByTestId('user-disable').isDisabled()).toBe(true);
    expect(await me.getByTestId('user-role-select').inputValue()).toBe('admin');
  });

  it('refuses an account without a display name (the "required" hint) or with a taken username (the server\'s refusal in the dialog): nothing created', async () => {
    const before = (await ioc.users.list()).length;
    await page.getByTestId('user-new').click();
    const dialog = page.getByTestId('user-create-dialog');
    await dialog.waitFor();
    await dialog.locator('#new-username').fill('khong.ten');
    await dialog.getByTestId('user-create-submit').click();
    await dialog.getByText(viText['admin.required']).waitFor({ timeout: 5000 });
    expect(await dialog.locator('#new-display-name').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.isVisible()).toBe(true);
    // the form is fine, the server refuses it: its words stay in the dialog
    expectedErrors.push(/409 .*\/api\/admin\/users\)$/);
    await dialog.locator('#new-username').fill(ADMIN);
    await dialog.locator('#new-display-name').fill('Trùng tên');
    await dialog.getByTestId('user-create-submit').click();
    await expect.poll(() => dialog.getByRole('alert').textContent(), { timeout: 5000 }).toContain(ADMIN);
    expect(await dialog.getByTestId('user-create-submit').isEnabled()).toBe(true);
    await dialog.getByRole('button', { name: viText['admin.cancel'] }).click();
    await dialog.waitFor({ state: 'detached', timeout: 5000 });
    expect((await ioc.users.list()).length).toBe(before);
    expect(await userRow('khong.ten').count()).toBe(0);
  });

  it('creates an operator through the dialog; the password shown once logs in', async () => {
    await page.getByTestId('user-new').click();
    const dialog = page.getByTestId('user-create-dialog');
    await dialog.waitFor();
    await dialog.locator('#new-username').fill(OPERATOR);
    await dialog.locator('#new-display-name').fill('Nguyễn Thị Lan');
    await dialog.locator('#new-role').selectOption('operator');
    await dialog.getByTestId('user-create-submit').click();
    const [username, password] = await readSecretDialog('new-username', 'new-password');
    expect(username).toBe(OPERATOR);
    expect(password.length).toBeGreaterThanOrEqual(10);
    operatorPassword = password;

    const row = userRow(OPERATOR);
    await row.waitFor();
    expect(await row.getByTestId('user-role-select').inputValue()).toBe('operator');
    const stored = await ioc.users.byUsername(OPERATOR);
    expect(stored).toMatchObject({ displayName: 'Nguyễn Thị Lan', role: 'operator', disabled: false });
    // the password works over HTTP, and the session is an operator's
    const cookie = await login(ioc.httpUrl, OPERATOR, operatorPassword);
    const me = await fetch(`${ioc.httpUrl}/api/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(JSON.stringify(await me.json())).toContain('"operator"');
  });

  it("changes the operator's role in its row once confirmed (not when cancelled): the server has the new role and its open session ends", async () => {
    const cookie = await login(ioc.httpUrl, OPERATOR, operatorPassword);
    const me = () => fetch(`${ioc.httpUrl}/api/auth/me`, { headers: { cookie } }).then((r) => r.status);
    expect(await me()).toBe(200);

    const row = userRow(OPERATOR);
    // cancelled: the select goes back to the account's role, nothing changes
    page.once('dialog', (d) => void d.dismiss());
    await row.getByTestId('user-role-select').selectOption('field');
    await expect.poll(() => row.getByTestId('user-role-select').inputValue()).toBe('operator');
    expect((await ioc.users.byUsername(OPERATOR))?.role).toBe('operator');

    acceptConfirm();
    await row.getByTestId('user-role-select').selectOption('leader');
    await expect
      .poll(() => ioc.users.byUsername(OPERATOR).then((u) => u?.role), { timeout: 10_000 })
      .toBe('leader');
    await expect.poll(() => row.getByTestId('user-role-select').inputValue()).toBe('leader');
    // ended at once on the instance that made the change
    await expect.poll(me, { timeout: 5000 }).toBe(401);
  });

  it('disables the account: the row says so and its password is refused', async () => {
    const row = userRow(OPERATOR);
    acceptConfirm();
    await row.getByTestId('user-disable').click();
    await row.getByTestId('user-enable').waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('status').textContent()).toBe(viText['admin.status.disabled']);
    expect(await row.getAttribute('class')).toContain('off');
    expect((await ioc.users.byUsername(OPERATOR))?.disabled).toBe(true);
    await expect(login(ioc.httpUrl, OPERATOR, operatorPassword)).rejects.toThrow(/401/);
    await screenshot(page, 'admin-users');
    await expectNoSeriousA11y(page, 'the admin page (users tab, a disabled account)');
  });

  it('creates a device owning one segment; the MQTT credentials shown once connect to the embedded broker', async () => {
    const segment = ioc.city.segments[0]?.id as string;
    expect(segment).toBeTruthy();

    await page.getByTestId('tab-devices').click();
    await page.getByTestId('devices-tab').waitFor();
    // the users tab's last confirmation stays there
    expect(await page.getByTestId('toast').count()).toBe(0);
    await page.getByTestId('device-new').click();
    const dialog = page.getByTestId('device-create-dialog');
    await dialog.waitFor();
    await dialog.locator('#new-device-id').fill(DEVICE);
    await dialog.locator('#new-device-name').fill('Ngã 5 Đống Đa camera gateway');
    await dialog.getByTestId('device-assets').fill(segment);
    // the page checks the ids against the city model it loaded
    await expect
      .poll(() => dialog.getByTestId('assets-check').textContent(), { timeout: 10_000 })
      .toBe(viText['admin.devices.summary'].replace('{cameras}', '0').replace('{segments}', '1'));
    await dialog.getByTestId('device-create-submit').click();
    const [username, secret] = await readSecretDialog('mqtt-username', 'mqtt-secret');
    expect(username).toBe(DEVICE);
    expect(secret.length).toBeGreaterThanOrEqual(16);
    deviceSecret = secret;

    await deviceRow(DEVICE).waitFor();
    const stored = await ioc.devices.get(DEVICE);
    expect(stored).toMatchObject({ assets: [segment], mayReport: false, disabled: false });
    expect(await mqttConnect(username, deviceSecret)).toBe('connected');
  });

  it('rotates the secret: a new one is shown, the old one is refused and the new one accepted', async () => {
    const row = deviceRow(DEVICE);
    acceptConfirm();
    await row.getByTestId('device-rotate').click();
    const [username, secret] = await readSecretDialog('mqtt-username', 'mqtt-secret');
    expect(username).toBe(DEVICE);
    expect(secret).not.toBe(deviceSecret);

    expect(await mqttConnect(DEVICE, deviceSecret)).toBe(5);
    expect(await mqttConnect(DEVICE, secret)).toBe('connected');
    await screenshot(page, 'admin-devices');
  });

  it('registers a patrol unit linked to a field account, whose phone then has that unit', async () => {
    const officer = await ioc.users.create({
      username: 'canbo.tuan',
      displayName: 'Trần Văn Tuấn',
      role: 'field',
      password: 'hiện trường đủ dài 2026',
    });
    await page.getByTestId('tab-units').click();
    await page.getByTestId('units-tab').waitFor();
    await page.getByTestId('unit-new').click();
    const dialog = page.getByTestId('unit-dialog');
    await dialog.waitFor();
    // nothing typed: the name is required, and the id is shown how it is written
    await dialog.getByTestId('unit-save').click();
    await expect.poll(() => dialog.locator('#unit-name').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.locator('.hint.bad').allTextContents()).toContain(viText['admin.required']);
    await dialog.locator('#unit-id').fill('ca-hai-cang-03');
    await dialog.locator('#unit-name').fill('Tổ tuần tra 03 – CA phường Hải Cảng');
    await dialog.getByTestId('unit-account').selectOption('canbo.tuan');
    await dialog.getByTestId('unit-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=unit-row][data-id="ca-hai-cang-03"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('canbo.tuan');
    expect(await row.textContent()).toContain(viText['admin.units.never']);
    const phone = await ioc.units.registry();
    expect(phone.find((u) => u.item.id === 'ca-hai-cang-03')).toMatchObject({
      account: officer.user.username,
      item: { name: 'Tổ tuần tra 03 – CA phường Hải Cảng', kind: 'patrol', linked: true },
    });
    await screenshot(page, 'admin-units');
    await expectNoSeriousA11y(page, 'the admin page (units tab)');
  });
});
