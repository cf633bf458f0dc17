// The operators' alarms on the wall console (issue 13) in headless Chromium against the real IOC
// (embedded broker and database, no simulators): alarms are provoked through MQTT as devices would.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem } from '#contract/alarms.ts';
import type { RunningIoc } from '../server/main.ts';
import { testDevice } from '../server/testing/iocHarness.ts';
import { loginAs, type TestSession } from '../server/testing/sessions.ts';
import { ensureClientBuilt, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

declare global {
  interface Window {
    /** pitches of the oscillators the page started (the AudioContext spy below) */
    __tones?: number[];
  }
}

/** Records every pitch the page asks Web Audio for: what an operator would hear. */
const AUDIO_SPY = () => {
  const Orig = window.AudioContext;
  window.__tones = [];
  window.AudioContext = class extends Orig {
    override createOscillator(): OscillatorNode {
      const o = super.createOscillator();
      const set = o.frequency.setValueAtTime.bind(o.frequency);
      o.frequency.setValueAtTime = (v: number, at: number) => {
        window.__tones?.push(v);
        return set(v, at);
      };
      return o;
    }
  };
};

let stop: () => Promise<void>;
let ioc: RunningIoc;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pub: MqttClient;
let admin: TestSession;
let other: TestSession;
let ward: { id: string; name: string };
let jammed: string[];
const errors: string[] = [];

const banner = () => page.getByTestId('alarm-banner');
const alarms = async (s: TestSession): Promise<AlarmItem[]> =>
  ((await (await s.fetch(`${ioc.httpUrl}/api/alarms?state=all`)).json()) as { items: AlarmItem[] }).items;
const send = (s: TestSession, method: string, url: string, body: unknown) =>
  s.fetch(`${ioc.httpUrl}${url}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const row = (id: string) => page.locator(`[data-testid="alarm-row"][data-id="${id}"]`);

describe('alarms on the wall console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop } = await startTestIoc('alarms'));
    admin = await loginAs(ioc, 'admin');
    other = await loginAs(ioc, 'operator');
    // a jam alarms at once here (the shipped delay is 5 minutes)
    const rules = (await (await admin.fetch(`${ioc.httpUrl}/api/admin/alarm-rules`)).json()) as {
      items: Array<{ rule: string }>;
    };
    const roadJam = rules.items.find((r) => r.rule === 'road_jam');
    expect(
      (await send(admin, 'PUT', '/api/admin/alarm-rules/road_jam', { ...roadJam, delayMs: 0 })).status,
    ).toBe(200);
    // four segments of one ward: over the flood threshold (3), one parent alarm
    const byWard = new Map<string, string[]>();
    for (const s of ioc.city.segments)
      if (s.districtId) byWard.set(s.districtId, [...(byWard.get(s.districtId) ?? []), s.id]);
    const [wardId, segs] = [...byWard].find(([, s]) => s.length >= 4) ?? [];
    if (!wardId || !segs) throw new Error('no ward with 4 segments');
    ward = { id: wardId, name: ioc.city.districts.find((d) => d.id === wardId)?.name ?? wardId };
    jammed = segs.slice(0, 4);
    const login = await testDevice(ioc);
    pub = await mqtt.connectAsync(login.url, {
      clientId: `e2e-alarms-${randomUUID().slice(0, 8)}`,
      username: login.username,
      password: login.password,
    });
    ({ browser, context } = await launchBrowser());
    await context.addInitScript(AUDIO_SPY);
    await signIn(context, ioc, 'operator');
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  }, 120_000);

  afterEach(async (c) => {
    if (c.task.result?.state === 'fail') await screenshot(page, `alarms-failed-${c.task.name.slice(0, 30)}`);
    // the 409 of the race test is the answer that test provokes
    expect(errors.splice(0).filter((e) => !e.includes('409'))).toEqual([]);
  });

  afterAll(async () => {
    await pub?.endAsync();
    await browser?.close();
    await stop?.();
  });

  it('says there are no alarms, and lets the operator enable the sound in one click', async () => {
    await page.goto(ioc.httpUrl);
    await page.waitForSelector('[data-testid="conn-badge"][data-status="live"]', { timeout: 60_000 });
    await expect(banner().count()).resolves.toBe(0);
    // headless Chromium starts Web Audio suspended until a gesture, as a wall browser may. The click comes
    // before any key: a key press is a gesture too, and would resume the sound under the click (the button
    // then leaves the page while it is being clicked)
    const enable = page.getByTestId('alarm-enable-sound');
    if (await enable.isVisible()) await enable.click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="alarm-enable-sound"]'));
    await page.keyboard.press('a');
    await expect(page.getByTestId('alarm-empty').textContent()).resolves.toBe('Không có cảnh báo nào');
    await expect(page.getByTestId('kpi-alarms-value').textContent()).resolves.toBe('0');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('alarm-panel').count()).resolves.toBe(0);
  }, 120_000);

  it('flashes the banner and sounds the critical tone when a severity-5 incident comes in', async () => {
    const [lon, lat] = ioc.city.segments[0].coords[0];
    await pub.publishAsync(
      'ioc/incident/report',
      JSON.stringify({
        ts: Date.now(),
        category: 'fire',
        lat,
        lon,
        severity: 5,
        description: 'cháy kho',
        id: randomUUID(),
      }),
      { qos: 1 },
    );
    await page.waitForSelector('[data-testid="alarm-banner"][data-flashing="true"][data-priority="1"]', {
      timeout: 20_000,
    });
    expect(await page.getByTestId('alarm-banner-title').textContent()).toMatch(
      /^Sự cố mới PA-\d+: Cháy, nổ, mức độ 5/,
    );
    // the critical tone: 988 Hz pulses, and the page says what it plays
    await page.waitForFunction(() => (window.__tones ?? []).includes(988), undefined, { timeout: 5_000 });
    expect(await page.evaluate(() => document.documentElement.dataset.alarmTone)).toBe('1');
    await expect(page.title()).resolves.toMatch(/^\(1\) cảnh báo · IOC/);
    await expect(page.getByTestId('kpi-alarms-value').textContent()).resolves.toBe('1');
  });

  it('groups a ward’s jams into one alarm that expands to its segments, marked on the map', async () => {
    const ts = Date.now();
    for (const seg of jammed)
      await pub.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts, speedKmh: 2, id: randomUUID() }), {
        qos: 1,
      });
    const isParent = (a: AlarmItem) => a.key === `flood:road_jam:${ward.id}` && a.childCount === 4;
    await expect.poll(async () => (await alarms(other)).some(isParent), { timeout: 20_000 }).toBe(true);
    const parent = (await alarms(other)).find(isParent) as AlarmItem;
    await page.keyboard.press('a');
    await row(parent.id).waitFor({ timeout: 10_000 });
    // the critical one first, then the flood parent, in Vietnamese, with its count
    const order = await page.$$eval('[data-testid="alarm-row"]', (els) =>
      els
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map((e) => e.getAttribute('data-priority')),
    );
    expect(order).toEqual(['1', '3']);
    expect(await row(parent.id).getByTestId('alarm-title').textContent()).toBe(
      `Ùn tắc diện rộng: 4 đoạn ở phường ${ward.name}`,
    );
    expect(await row(parent.id).getByTestId('alarm-children').textContent()).toBe('4 mục con');
    await row(parent.id).getByTestId('alarm-expand').click();
    await expect.poll(() => page.getByTestId('alarm-row').count()).toBe(6);
    await screenshot(page, 'alarms-banner-list-vi');
    // a segment's mark on the map: hovering names it, clicking opens it in the list
    await page.keyboard.press('Escape');
    const child = (await alarms(other)).find((a) => a.parentId === parent.id) as AlarmItem;
    const at = await page.evaluate(
      async ([lon, lat]) => {
        type M = {
          jumpTo(o: { center: [number, number]; zoom: number }): void;
          once(e: 'idle', f: () => void): void;
          project(p: [number, number]): { x: number; y: number };
        };
        const map = (window as unknown as { __ioc: { view: { map: M } } }).__ioc.view.map;
        await new Promise<void>((resolve) => {
          map.once('idle', () => requestAnimationFrame(() => resolve()));
          map.jumpTo({ center: [lon, lat], zoom: 16 });
        });
        const p = map.project([lon, lat]);
        const r = document.getElementById('map')?.getBoundingClientRect();
        // the mark sits 20 px above its place
        return { x: (r?.left ?? 0) + p.x, y: (r?.top ?? 0) + p.y - 20 };
      },
      [child.lon ?? 0, child.lat ?? 0] as const,
    );
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('[data-testid="alarm-tooltip"]', { timeout: 5_000 });
    expect(await page.getByTestId('alarm-tooltip').textContent()).toContain('Trung bình · Chưa xác nhận');
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector(`[data-testid="alarm-detail"][data-id="${child.id}"]`, { timeout: 5_000 });
    await row(child.id).waitFor();
  });

  it('answers a race with a clear message and the state now (409)', async () => {
    const child = (await alarms(other)).find(
      (a) => a.rule === 'road_jam' && a.parentId && a.state === 'unack_active',
    );
    if (!child) throw new Error('no unacknowledged child');
    await row(child.id).locator('.alarm-main').click();
    await page.waitForSelector(`[data-testid="alarm-detail"][data-id="${child.id}"]`);
    // another operator acknowledges it while this one's click is on its way
    await page.route('**/api/alarms/*/actions', async (route) => {
      await send(other, 'POST', `/api/alarms/${child.id}/actions`, { action: 'acknowledge' });
      await route.continue();
    });
    await page.getByTestId('alarm-ack').click();
    await expect(page.getByTestId('alarm-msg').textContent()).resolves.toBe(
      'Không thực hiện được: cảnh báo hiện ở trạng thái “Đã xác nhận”. Danh sách đã cập nhật.',
    );
    await expect.poll(() => page.getByTestId('alarm-detail-state').textContent()).toBe('Đã xác nhận');
    await page.unroute('**/api/alarms/*/actions');
  });

  it('shelves an alarm out of the list with a reason, shows it under its filter, and unshelves it', async () => {
    const parent = (await alarms(other)).find((a) => a.key === `flood:road_jam:${ward.id}`) as AlarmItem;
    await row(parent.id).locator('.alarm-main').click();
    await page.getByTestId('alarm-shelve').click();
    await page.getByTestId('alarm-shelve-reason').fill('đã báo CSGT, đang phân luồng');
    await page.getByTestId('alarm-shelve-duration').selectOption('15');
    // Escape closes the form first, the list stays
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('alarm-shelve-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('alarm-panel').count()).resolves.toBe(1);
    await page.getByTestId('alarm-shelve').click();
    await page.getByTestId('alarm-shelve-reason').fill('đã báo CSGT, đang phân luồng');
    await page.getByTestId('alarm-shelve-confirm').click();
    await expect.poll(() => row(parent.id).count()).toBe(0);
    const shelved = (await alarms(other)).find((a) => a.id === parent.id);
    expect(shelved?.shelved).toMatchObject({ reason: 'đã báo CSGT, đang phân luồng' });
    expect((shelved?.shelved?.until ?? 0) - Date.now()).toBeGreaterThan(14 * 60_000);
    await page.getByTestId('alarm-filter-show').selectOption('shelved');
    await row(parent.id).waitFor();
    expect(await row(parent.id).locator('.alarm-state').textContent()).toBe('Chưa xác nhận · Tạm ẩn');
    await row(parent.id).locator('.alarm-main').click();
    await page.getByTestId('alarm-unshelve').click();
    await expect.poll(() => row(parent.id).count()).toBe(0);
    await page.getByTestId('alarm-filter-show').selectOption('active');
    await row(parent.id).waitFor();
    // the history says who did what, with the reason
    const events = page.getByTestId('alarm-history-row');
    await expect.poll(() => events.first().getAttribute('data-event')).toBe('unshelve');
    expect(await events.nth(1).textContent()).toContain('đã báo CSGT, đang phân luồng');
  });

  it('lists an alarm of an asset out of service under its own filter, labelled', async () => {
    const child = (await alarms(other)).find(
      (a) => a.rule === 'road_jam' && a.parentId && a.state === 'unack_active',
    );
    if (!child?.assetId) throw new Error('no unacknowledged child');
    expect(
      (
        await send(admin, 'PUT', `/api/admin/out-of-service/${child.assetId}`, {
          reason: 'thay cảm biến',
          until: null,
        })
      ).status,
    ).toBe(200);
    await page.getByTestId('alarm-filter-show').selectOption('suppressed');
    await row(child.id).waitFor({ timeout: 10_000 });
    expect(await row(child.id).locator('.alarm-state').textContent()).toBe(
      'Chưa xác nhận · Ngừng hoạt động (bảo trì)',
    );
    await page.getByTestId('alarm-filter-show').selectOption('active');
  });

  it('acknowledges everything shown with a comment: the banner stops flashing and the sound stops', async () => {
    await page.getByTestId('alarm-bulk-comment').fill('ca đêm đã nắm tình hình');
    await page.getByTestId('alarm-ack-visible').click();
    await expect(page.getByTestId('alarm-bulk-msg').textContent()).resolves.toMatch(
      /^Đã xác nhận \d+ cảnh báo\.$/,
    );
    await page.waitForSelector('[data-testid="alarm-banner"][data-flashing="false"]', { timeout: 5_000 });
    await page.waitForFunction(() => document.documentElement.dataset.alarmTone === undefined);
    await expect(page.getByTestId('kpi-alarms-value').textContent()).resolves.toBe('0');
    await expect(page.title()).resolves.toMatch(/^IOC/);
    const critical = (await alarms(other)).find((a) => a.priority === 1) as AlarmItem;
    expect(critical).toMatchObject({ state: 'ack_active' });
    const history = (await (
      await other.fetch(`${ioc.httpUrl}/api/alarms/${critical.id}/history`)
    ).json()) as {
      items: Array<{ event: string; note: string | null; actor: string }>;
    };
    expect(history.items[0]).toMatchObject({ event: 'acknowledge', note: 'ca đêm đã nắm tình hình' });
  });

  it('silences a new alarm without acknowledging it', async () => {
    const [lon, lat] = ioc.city.segments[1].coords[0];
    await pub.publishAsync(
      'ioc/incident/report',
      JSON.stringify({
        ts: Date.now(),
        category: 'traffic_accident',
        lat,
        lon,
        severity: 4,
        id: randomUUID(),
      }),
      { qos: 1 },
    );
    await page.waitForSelector('[data-testid="alarm-banner"][data-flashing="true"][data-priority="2"]', {
      timeout: 15_000,
    });
    await page.waitForFunction(() => document.documentElement.dataset.alarmTone === '2');
    await page.getByTestId('alarm-silence').click();
    await page.waitForFunction(() => document.documentElement.dataset.alarmTone === undefined);
    // still unacknowledged, still flashing
    await expect(banner().getAttribute('data-flashing')).resolves.toBe('true');
    await expect(page.getByTestId('alarm-silenced').isVisible()).resolves.toBe(true);
  });

  it('writes the titles in English on the English console', async () => {
    await page.keyboard.press('l');
    const parent = (await alarms(other)).find((a) => a.key === `flood:road_jam:${ward.id}`) as AlarmItem;
    await expect(row(parent.id).getByTestId('alarm-title').textContent()).resolves.toBe(
      `Wide-area congestion: 4 segments in ${ward.name} ward`,
    );
    expect(await page.getByTestId('alarm-banner-title').textContent()).toMatch(
      /^New incident PA-\d+: Traffic accident, severity 4/,
    );
    await expect(page.title()).resolves.toMatch(/^\(1\) alarms · IOC/);
    await screenshot(page, 'alarms-banner-list-en');
    await page.keyboard.press('l');
  });
});
