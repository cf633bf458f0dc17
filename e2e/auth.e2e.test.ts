import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '#contract/auth.ts';
import type { RunningIoc } from '../server/main.ts';
import { expectNoSeriousA11y } from './support/a11y.ts';
import { ensureClientBuilt, launchBrowser, screenshot } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

let stop: () => Promise<void>;
let ioc: RunningIoc;
let browser: Browser;
const PASSWORD = 'mật khẩu đủ dài 2026';

// written out from issue 6, not read from the code: where a role may go, and where it lands otherwise
const PAGES = ['/', '/report', '/dashboard', '/admin'] as const;
const MAY: Record<Role, { home: string; pages: string[] }> = {
  admin: { home: '/admin', pages: ['/', '/report', '/dashboard', '/admin'] },
  operator: { home: '/', pages: ['/', '/report', '/dashboard'] },
  field: { home: '/report', pages: ['/report'] },
  leader: { home: '/dashboard', pages: ['/', '/dashboard'] },
};

describe('logging in, per role', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop } = await startTestIoc('auth'));
    for (const role of Object.keys(MAY) as Role[])
      await ioc.users.create({
        username: `e2e-${role}`,
        displayName: `E2E ${role}`,
        role,
        password: PASSWORD,
      });
    ({ browser } = await launchBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  }, 60_000);

  it('refuses a wrong password in Vietnamese without saying which part was wrong', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${ioc.httpUrl}/report`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('#login-username').fill('e2e-field');
    await page.locator('#login-password').fill('sai mật khẩu rồi');
    await page.locator('button[type=submit]').click();
    const err = page.getByTestId('login-error');
    await err.waitFor({ timeout: 10_000 });
    const text = (await err.textContent()) ?? '';
    expect(text).toMatch(/mật khẩu/i);
    expect(text).not.toMatch(/không tồn tại|does not exist/i);
    await screenshot(page, 'login-error-phone');
    await expectNoSeriousA11y(page, 'the login page (phone, a refused password)');
    await context.close();
  });

  it("names the product the same on every page's title and header, in Vietnamese and in English", async () => {
    // written out, not read from the messages: the one name of the product in each language
    const NAME = {
      vi: 'Trung tâm Điều hành Đô thị thông minh',
      en: 'Smart City Intelligent Operations Center',
    };
    const seen: string[] = [];
    for (const lang of ['vi', 'en'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript((l) => localStorage.setItem('ioc.lang', l), lang);
      const page = await context.newPage();
      const check = async (where: string, top: string) => {
        await page.locator(top).first().waitFor({ timeout: 15_000 });
        // the title is set once the page's script runs (the console's may lead with its alarm count)
        await expect.poll(() => page.title(), { timeout: 10_000 }).toMatch(/^(\(\d+\) [^·]+ · )?IOC — \S/);
        const text = ((await page.locator(top).first().textContent()) ?? '').replace(/\s+/g, ' ');
        seen.push(`${lang} ${where}: ${await page.title()} | ${text.slice(0, 80)}`);
        expect(text, `${lang} ${where}`).toContain(NAME[lang]);
      };
      await page.goto(`${ioc.httpUrl}/login`);
      await check('/login', 'h1');
      await page.locator('#login-username').fill('e2e-admin');
      await page.locator('#login-password').fill(PASSWORD);
      await page.locator('button[type=submit]').click();
      await page.getByTestId('user-menu').waitFor({ timeout: 15_000 });
      for (const p of PAGES) {
        await page.goto(`${ioc.httpUrl}${p}`);
        await check(p, 'header');
      }
      await context.close();
    }
    expect(seen).toHaveLength(10);
  }, 120_000);

  for (const role of Object.keys(MAY) as Role[]) {
    it(`logs in as ${role}, lands on ${MAY[role].home} or where it was going, and sees only its pages`, async () => {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // going to the dashboard first: the login page brings the user back there if the role may open it
      await page.goto(`${ioc.httpUrl}/dashboard`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.locator('#login-username').fill(`e2e-${role}`);
      await page.locator('#login-password').fill(PASSWORD);
      await page.locator('button[type=submit]').click();
      const landing = MAY[role].pages.includes('/dashboard') ? '/dashboard' : MAY[role].home;
      await page.waitForURL((u) => u.pathname === landing, { timeout: 15_000 });
      await page.getByTestId('user-menu').waitFor({ timeout: 15_000 });
      await screenshot(page, `login-landing-${role}`);

      for (const p of PAGES) {
        // the server redirects before any page loads: the address is final once the document arrives
        await page.goto(`${ioc.httpUrl}${p}`, { waitUntil: 'domcontentloaded' });
        const where = new URL(page.url()).pathname;
        expect(where, `${role} opening ${p}`).toBe(MAY[role].pages.includes(p) ? p : MAY[role].home);
      }

      // logout ends the session: the next page asks for a login again
      await page.goto(`${ioc.httpUrl}${MAY[role].home}`);
      // the console (the one page with a live socket) is connected before the logout ends its socket
      const badge = (status: string) => page.locator(`[data-testid="conn-badge"][data-status="${status}"]`);
      const live = MAY[role].home === '/';
      if (live) await badge('live').waitFor({ timeout: 20_000 });
      await page.getByTestId('user-menu-toggle').click({ timeout: 20_000 });
      // the server's answer held back until the page has heard its socket end (the badge goes offline
      // after the socket's session_ended): the session, and the console's socket, end first
      await page.route('**/api/auth/logout', async (route) => {
        const answer = await route.fetch();
        if (live) await badge('offline').waitFor({ timeout: 10_000 });
        await route.fulfill({ response: answer });
      });
      await page.getByTestId('logout').click();
      await page.waitForURL((u) => u.pathname === '/login', { timeout: 10_000 });
      // a logout asked for is not a session that expired (the console's socket, ended by the
      // server at once, must not send the page to the login page a second time). Once the login
      // page has drawn its form, the page that asked to log out is gone: it can navigate no more
      await page.locator('#login-username').waitFor({ timeout: 10_000 });
      await page.unroute('**/api/auth/logout');
      expect(new URL(page.url()).searchParams.get('expired'), role).toBeNull();
      await page.goto(`${ioc.httpUrl}${MAY[role].home}`, { waitUntil: 'domcontentloaded' });
      if (role === 'field') {
        // the field page is installed (service worker) and opens offline; logged out, it says so and
        // keeps whatever the phone holds rather than throwing it away for the login page
        await page.waitForFunction(
          () =>
            location.pathname === '/login' ||
            document.querySelector('[data-testid=auth-banner]')?.getAttribute('data-reason') ===
              'unauthenticated',
          undefined,
          { timeout: 10_000 },
        );
      } else expect(new URL(page.url()).pathname).toBe('/login');

      // a CSP violation, a failed script or a crash would show here
      expect(errors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
