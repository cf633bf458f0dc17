// Browser-test support: build the client when it is older than its sources, drive Debian's Chromium.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Role } from '#contract/auth.ts';
import type { RunningIoc } from '../../server/main.ts';
import { freePort } from '../../server/testing/net.ts';
import { loginAs, type TestSession } from '../../server/testing/sessions.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'artifacts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const m = e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/** Builds dist/client once when it is missing or older than client/ (or the Vite config). */
export function ensureClientBuilt(): void {
  const built = path.join(ROOT, 'dist/client/console/index.html');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    // not built yet
  }
  const sourcesAt = Math.max(
    newestMtime(path.join(ROOT, 'client')),
    statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs,
  );
  if (builtAt > sourcesAt) return;
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

// (a server that must come back on the same port takes one)
export { freePort };

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * How Chromium draws WebGL: `swiftshader` (the tests' default: no GPU, software compositing, each
 * WebGL frame read back), `swiftshader-composited` (SwiftShader in the GPU process, which also
 * composites: what a browser on a machine without a GPU driver does by default) or `gpu` (the
 * machine's GPU through ANGLE on Vulkan, the GPU blocklist ignored: a wall PC's graphics card).
 */
export type BrowserGl = 'swiftshader' | 'swiftshader-composited' | 'gpu';

const GL_ARGS: Record<BrowserGl, string[]> = {
  swiftshader: ['--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  'swiftshader-composited': ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  gpu: [
    '--ignore-gpu-blocklist',
    '--enable-gpu-rasterization',
    '--use-angle=vulkan',
    '--enable-features=Vulkan',
  ],
};

export async function launchBrowser(
  opts: { gl?: BrowserGl } = {},
): Promise<{ browser: Browser; context: BrowserContext }> {
  // launch() gives every run a fresh temporary profile of its own
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...GL_ARGS[opts.gl ?? 'swiftshader'],
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
  return { browser, context };
}

export async function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/**
 * How much of a region of the screen is drawn: the share of pixels that differ from the
 * region's most common colour, and how many distinct coarse colours appear.
 */
export async function paintStats(
  page: Page,
  clip: { x: number; y: number; width: number; height: number },
): Promise<{ painted: number; colours: number }> {
  const png = await page.screenshot({ clip });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d') as CanvasRenderingContext2D;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map<number, number>();
    for (let i = 0; i < d.length; i += 4) {
      const k = ((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const total = d.length / 4;
    const top = Math.max(...counts.values());
    let colours = 0;
    for (const n of counts.values()) if (n > total * 0.0005) colours++;
    return { painted: 1 - top / total, colours };
  }, png.toString('base64'));
}

/**
 * Logs a browser context in as a new account of this role (through POST /api/auth/login) and
 * returns the session; the browser then opens pages as that user would after the login page.
 */
export async function signIn(
  context: BrowserContext,
  ioc: Pick<RunningIoc, 'httpUrl' | 'users'>,
  role: Role,
  /** the address the browser will open (a cookie for localhost is not sent to 127.0.0.1) */
  url = ioc.httpUrl,
): Promise<TestSession> {
  const s = await loginAs(ioc, role);
  const [name, value] = s.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url, httpOnly: true, sameSite: 'Lax' }]);
  return s;
}

/**
 * Waits until the console's map has drawn all it has (`window.__ioc.view.map`, MapLibre): a repaint
 * asked for now, then MapLibre's `idle`, which it fires after a frame only once the style, every
 * source and tile are loaded and no camera move is under way. Then one frame more for the deck.gl
 * overlay, which draws on its own animation frame.
 */
export async function mapSettled(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(() => !!(window as { __ioc?: { view?: unknown } }).__ioc?.view, undefined, {
    timeout,
  });
  await page.evaluate(
    (ms) =>
      new Promise<void>((resolve, reject) => {
        const map = (
          window as unknown as {
            __ioc: { view: { map: { once(e: 'idle', f: () => void): void; triggerRepaint(): void } } };
          }
        ).__ioc.view.map;
        const timer = setTimeout(() => reject(new Error(`the map was not idle within ${ms} ms`)), ms);
        map.once('idle', () => {
          clearTimeout(timer);
          requestAnimationFrame(() => resolve());
        });
        map.triggerRepaint();
      }),
    timeout,
  );
}

/**
 * Waits until every echarts chart on the page is drawn at its box's size: the SVG renderer takes
 * the new size on resize and redraws on its next animation frame, so once every chart's SVG has its
 * box's size, one frame later the picture is the resized one. A box with no size is not drawn.
 */
export async function chartsFitTheirBoxes(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLElement>('.chart')].every((box) => {
        if (!box.clientWidth || !box.clientHeight) return true;
        const svg = box.querySelector('svg');
        return (
          !!svg &&
          Number(svg.getAttribute('width')) === box.clientWidth &&
          Number(svg.getAttribute('height')) === box.clientHeight
        );
      }),
    undefined,
    { timeout, polling: 'raf' },
  );
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
}

/** Waits until the page's web fonts are loaded: what a screenshot shows is then in its own type. */
export async function fontsLoaded(page: Page): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}
