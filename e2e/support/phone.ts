// Browser-test support for /report, the field page: a field officer's phone and filling in a report.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunningIoc } from '../../server/main.ts';
import type { TestSession } from '../../server/testing/sessions.ts';
import { ensureClientBuilt, launchBrowser, signIn } from './browser.ts';
import { startTestIoc } from './ioc.ts';

/** A phone in a field officer's hand: 390×844 touch screen, GPS on, in Quy Nhơn. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  geolocation: { latitude: 13.77, longitude: 109.22, accuracy: 12 },
  permissions: ['geolocation'],
};

/** Picks the category, waits for the GPS fix, types the description and picks the severity. */
export async function fillReport(
  p: Page,
  category: string,
  description: string,
  severity: number,
): Promise<void> {
  await p.getByTestId(`cat-${category}`).click();
  await expect
    .poll(() => p.getByTestId('gps-status').getAttribute('data-state'), { timeout: 10_000 })
    .toBe('ok');
  await p.getByTestId('description').fill(description);
  await p.getByTestId(`sev-${severity}`).click();
}

/**
 * Collects a page's uncaught errors and console errors into `into`, each prefixed with `name`; the
 * failed requests of the offline parts are meant, and not counted.
 */
export function watchErrors(p: Page, name: string, into: string[]): void {
  p.on('pageerror', (e) => into.push(`${name}: ${String(e)}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to fetch|WebSocket/.test(m.text()))
      into.push(`${name}: ${m.text()}`);
  });
}

/** The IOC, a field officer's phone and an operator's console on the wall, in one browser. */
export interface PhoneAndConsole {
  ioc: RunningIoc;
  stop: () => Promise<void>;
  browser: Browser;
  phoneCtx: BrowserContext;
  wallCtx: BrowserContext;
  phone: Page;
  con: Page;
  field: TestSession;
  op: TestSession;
  /** both pages' errors (see watchErrors) */
  pageErrors: string[];
}

/** Starts the IOC (`startTestIoc(name)`), signs a field account in on a phone and an operator on a 1920×1080 wall. */
export async function startPhoneAndConsole(name: string): Promise<PhoneAndConsole> {
  ensureClientBuilt();
  const { ioc, stop } = await startTestIoc(name);
  const { browser } = await launchBrowser();
  const phoneCtx = await browser.newContext(PHONE);
  const field = await signIn(phoneCtx, ioc, 'field');
  const wallCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const op = await signIn(wallCtx, ioc, 'operator');
  const phone = await phoneCtx.newPage();
  const con = await wallCtx.newPage();
  const pageErrors: string[] = [];
  watchErrors(phone, 'phone', pageErrors);
  watchErrors(con, 'console', pageErrors);
  return {
    ioc,
    browser,
    phoneCtx,
    wallCtx,
    phone,
    con,
    field,
    op,
    pageErrors,
    stop: async () => {
      await browser.close();
      await stop();
    },
  };
}
