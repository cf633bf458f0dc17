// npm run bench (part): the wall console at full city scale in headless Chromium — frame times,
// main-thread cost per overlay update, and update-to-pixel latency (MQTT publish → the overlay
// redrawn with the new value). Results: bench/results/console.json and a table.
// Note: this machine has no GPU; Chromium draws WebGL with SwiftShader on the CPU, so frame times here
// are an upper bound of what a wall PC with any GPU shows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { bigCityGeoJson } from '../e2e/support/bigCity.ts';
import { ensureClientBuilt, launchBrowser } from '../e2e/support/browser.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { startIoc } from '../server/main.ts';
import { testDevice } from '../server/testing/iocHarness.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SIZES: Array<[number, number]> = [
  [967, 80],
  [5000, 500],
];

interface ConsoleResult {
  segments: number;
  cameras: number;
  frameP50Ms: number;
  frameP95Ms: number;
  fps: number;
  overlayUpdates: number;
  msPerUpdate: number;
  longTasks: number;
  updateToPixelP50Ms: number;
  updateToPixelP95Ms: number;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(segments: number, cameras: number): Promise<ConsoleResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-bench-console-'));
  const cityFile = path.join(dir, 'city.geojson');
  await writeFile(cityFile, JSON.stringify(bigCityGeoJson(segments, cameras)));
  const ioc = await startIoc(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      DATA_DIR: dir,
      CITY_FILE: cityFile,
      SIMULATE: 'true',
      BACKFILL_DAYS: '0',
    }),
    createLogger('warn'),
  );
  const { browser } = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(ioc.httpUrl);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="conn-badge"]')?.getAttribute('data-status') === 'live',
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(6000);
    // scripts as strings: tsx adds name helpers to functions that would not exist in the page
    const frames = (await page.evaluate(`(async () => {
      const ioc = window.__ioc;
      const longTasks = [];
      const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); });
      obs.observe({ type: 'longtask', buffered: false });
      const gaps = [];
      const before = ioc.perf();
      let last = performance.now();
      const end = last + 10000;
      await new Promise((done) => {
        const tick = (t) => { gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else done(); };
        requestAnimationFrame(tick);
      });
      obs.disconnect();
      const after = ioc.perf();
      return { gaps, updates: after.renders - before.renders, renderMs: after.renderMs - before.renderMs, longTasks: longTasks.length };
    })()`)) as { gaps: number[]; updates: number; renderMs: number; longTasks: number };

    // update → pixel: publish a distinctive reading, time until the overlay has redrawn with it
    const seg = ioc.city.segments[Math.floor(ioc.city.segments.length / 2)].id;
    // the embedded broker takes readings only from registered devices
    const login = await testDevice(ioc, 'bench-console');
    const client = await mqtt.connectAsync(login.url, { username: login.username, password: login.password });
    const latencies: number[] = [];
    for (let i = 0; i < 15; i++) {
      const speed = 3 + i;
      const waiting = page.evaluate(`new Promise((resolve) => {
        const ioc = window.__ioc;
        const check = () => {
          if (ioc.state.traffic.get(${JSON.stringify(seg)})?.speedKmh === ${speed}) {
            const r = ioc.perf().renders;
            // the first overlay render after the state changed puts it on screen
            const wait = () => (ioc.perf().renders > r ? resolve(Date.now()) : requestAnimationFrame(wait));
            requestAnimationFrame(wait);
          } else requestAnimationFrame(check);
        };
        check();
      })`) as Promise<number>;
      const t0 = Date.now();
      await client.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts: t0, speedKmh: speed }), {
        qos: 1,
      });
      latencies.push((await waiting) - t0);
      await new Promise((r) => setTimeout(r, 300));
    }
    await client.endAsync();
    const fps = frames.gaps.length / 10;
    return {
      segments,
      cameras,
      frameP50Ms: Math.round(pct(frames.gaps, 50) * 10) / 10,
      frameP95Ms: Math.round(pct(frames.gaps, 95) * 10) / 10,
      fps: Math.round(fps * 10) / 10,
      overlayUpdates: frames.updates,
      msPerUpdate: Math.round((frames.renderMs / Math.max(1, frames.updates)) * 100) / 100,
      longTasks: frames.longTasks,
      updateToPixelP50Ms: pct(latencies, 50),
      updateToPixelP95Ms: pct(latencies, 95),
    };
  } finally {
    await browser.close();
    await ioc.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  ensureClientBuilt();
  const results: ConsoleResult[] = [];
  for (const [s, c] of SIZES) {
    const r = await measure(s, c);
    console.log(`console   ${JSON.stringify(r)}`);
    results.push(r);
  }
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(
    path.join(HERE, 'results', 'console.json'),
    JSON.stringify(
      { date: new Date().toISOString(), renderer: 'headless Chromium, SwiftShader (no GPU)', results },
      null,
      2,
    ),
  );
  console.log(
    '\nsegments  cameras  frame p50/p95 ms   fps  updates  ms/update  long tasks  update→pixel p50/p95 ms',
  );
  for (const r of results)
    console.log(
      `${String(r.segments).padStart(8)} ${String(r.cameras).padStart(8)} ${`${r.frameP50Ms}/${r.frameP95Ms}`.padStart(17)} ${String(r.fps).padStart(5)} ${String(r.overlayUpdates).padStart(8)} ${String(r.msPerUpdate).padStart(10)} ${String(r.longTasks).padStart(11)} ${`${r.updateToPixelP50Ms}/${r.updateToPixelP95Ms}`.padStart(23)}`,
    );
  process.exit(0);
}

void main();
