// npm run bench (part): the wall console at full city scale in headless Chromium — frame times,
// main-thread cost per overlay update, and update-to-pixel latency (MQTT publish → the overlay
// redrawn with the new value). Results: bench/results/console.json and a table.
// Without a GPU Chromium draws WebGL with SwiftShader on the CPU, so frame times there are an upper
// bound of what a wall PC with any GPU shows; `--gpu` draws on the machine's GPU (Vulkan through ANGLE)
// and measures the larger cities the wall must carry. The renderer WebGL reports is in the results.
//
//   npx tsx bench/console.ts [--sizes=967:80,5000:500] [--seconds=10] [--pan=4] [--readings=15] [--query=dpr=1] [--root=DIR]
//   npm run bench:console -- --gpu        # 5,000, 20,000 and 100,000 road segments on the GPU
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mqtt from 'mqtt';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length ? v.join('=') : 'true'] as [string, string];
  }),
);
if (args.has('help')) {
  console.log(
    'npx tsx bench/console.ts [--sizes=967:80,5000:500] [--seconds=10] [--pan=4] [--readings=15] [--query=dpr=1] [--root=DIR] [--gpu | --gl=swiftshader|swiftshader-composited|gpu]\n' +
      '  sizes: segments:cameras of the generated city, one run each (with --gpu: 5000:500,20000:1000,100000:2000)\n' +
      '  gpu: draw on the GPU (--gl=gpu); gl: how Chromium draws WebGL (default swiftshader, as the tests)\n' +
      '  seconds: how long frames are sampled at rest; pan: seconds of panning (map.panBy) sampled\n' +
      '  readings: MQTT readings timed to the screen\n' +
      '  query: added to the console URL (e.g. dpr=1, style=…)\n' +
      "  root: another checkout whose IOC and console are measured (e.g. the main branch's, for a before/after)",
  );
  process.exit(0);
}
const GL = (args.has('gpu') ? 'gpu' : (args.get('gl') ?? 'swiftshader')) as
  | 'swiftshader'
  | 'swiftshader-composited'
  | 'gpu';
if (!['swiftshader', 'swiftshader-composited', 'gpu'].includes(GL)) throw new Error(`--gl=${GL}: unknown`);
const SIZES: Array<[number, number]> = (
  args.get('sizes') ?? (GL === 'gpu' ? '5000:500,20000:1000,100000:2000' : '967:80,5000:500')
)
  .split(',')
  .map((x) => x.split(':').map(Number) as [number, number]);
const SECONDS = Number(args.get('seconds') ?? 10);
const PAN_SECONDS = Number(args.get('pan') ?? 4);
/** the checkout measured: this one, or `--root` (the same bench on older code) */
const ROOT = path.resolve(args.get('root') ?? path.join(HERE, '..'));
const from = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(ROOT, file)).href);
const [
  { bigCityGeoJson },
  { ensureClientBuilt, launchBrowser, signIn },
  { loadConfig },
  { createLogger },
  { startIoc },
  { testDevice },
  { simulators },
] = await Promise.all([
  from<typeof import('../e2e/support/bigCity.ts')>('e2e/support/bigCity.ts'),
  from<typeof import('../e2e/support/browser.ts')>('e2e/support/browser.ts'),
  from<typeof import('../server/config.ts')>('server/config.ts'),
  from<typeof import('../server/log.ts')>('server/log.ts'),
  from<typeof import('../server/main.ts')>('server/main.ts'),
  from<typeof import('../server/testing/iocHarness.ts')>('server/testing/iocHarness.ts'),
  from<typeof import('../simulators/plugin.ts')>('simulators/plugin.ts'),
]);
const READINGS = Number(args.get('readings') ?? 15);
/** a reading not on screen by then counts as this (and the run goes on) */
const READING_TIMEOUT_MS = 60_000;

interface ConsoleResult {
  /** what WebGL says draws the map (SwiftShader, or the GPU's name) */
  renderer: string;
  segments: number;
  cameras: number;
  frameP50Ms: number;
  frameP95Ms: number;
  fps: number;
  overlayUpdates: number;
  /** frames the overlay drew: it redraws only when something on it changed */
  overlayDraws: number;
  /** frames MapLibre drew (the basemap, and the roads where the console draws them there); null: not counted */
  mapDraws: number | null;
  /** while the map pans (`map.panBy`, linear, back and forth): animation frames a second, and the frame gaps */
  panFps: number;
  panFrameP50Ms: number;
  panFrameP95Ms: number;
  msPerUpdate: number;
  longTasks: number;
  updateToPixelP50Ms: number;
  updateToPixelP95Ms: number;
  /** readings the simulator's own next reading of the segment replaced before they showed (not timed) */
  readingsSuperseded: number;
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
    { log: createLogger('warn'), simulation: simulators },
  );
  const { browser, context } = await launchBrowser({ gl: GL });
  try {
    await signIn(context, ioc, 'operator');
    const page = await context.newPage();
    await page.goto(`${ioc.httpUrl}/${args.has('query') ? `?${args.get('query')}` : ''}`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="conn-badge"]')?.getAttribute('data-status') === 'live',
      undefined,
      { timeout: 60_000 },
    );
    const renderer = (await page.evaluate(`(() => {
      const gl = window.__ioc.view.map.painter?.context?.gl;
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'unknown';
    })()`)) as string;
    // figures said to be a GPU's must be one's: Chromium falls back to SwiftShader without a word
    if (GL === 'gpu' && /swiftshader|llvmpipe|software/i.test(renderer))
      throw new Error(`--gpu: Chromium draws with ${renderer}, not a GPU (a driver for Vulkan missing?)`);
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
      const end = last + ${SECONDS * 1000};
      await new Promise((done) => {
        const tick = (t) => { gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else done(); };
        requestAnimationFrame(tick);
      });
      obs.disconnect();
      const after = ioc.perf();
      return { gaps, updates: after.renders - before.renders, draws: (after.drawn ?? after.renders) - (before.drawn ?? before.renders), mapDraws: after.mapDrawn === undefined ? null : after.mapDrawn - before.mapDrawn, renderMs: after.renderMs - before.renderMs, longTasks: longTasks.length };
    })()`)) as {
      gaps: number[];
      updates: number;
      draws: number;
      mapDraws: number | null;
      renderMs: number;
      longTasks: number;
    };

    // panning: the map eased by 300 px and back, linearly, for PAN_SECONDS; every frame of it
    // redraws the map and the overlay (what an operator dragging the map waits for)
    const pan = (await page.evaluate(`(async () => {
      const map = window.__ioc.view.map;
      const gaps = [];
      let last = -1;
      const end = performance.now() + ${PAN_SECONDS * 1000};
      let running = true;
      // gaps between frames' own timestamps (a frame's time is when it began: the first is the origin)
      const tick = (t) => { if (last >= 0) gaps.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      for (let dir = 1; performance.now() < end; dir = -dir) {
        const leg = Math.min(1000, end - performance.now());
        await new Promise((done) => {
          map.once('moveend', done);
          map.panBy([dir * 300 * leg / 1000, 0], { duration: leg, easing: (x) => x });
        });
      }
      running = false;
      return { gaps, seconds: (performance.now() - end + ${PAN_SECONDS * 1000}) / 1000 };
    })()`)) as { gaps: number[]; seconds: number };

    // update → pixel: publish a reading that changes the segment's level (jammed ↔ free: a speed
    // within the same band changes nothing on screen, and the overlay rightly draws nothing), note
    // when the page's state has it, then time until the overlay has drawn a frame after that
    const segment = ioc.city.segments[Math.floor(ioc.city.segments.length / 2)];
    const seg = segment.id;
    // the embedded broker takes readings only from registered devices
    const login = await testDevice(ioc, 'bench-console');
    const client = await mqtt.connectAsync(login.url, { username: login.username, password: login.password });
    const latencies: number[] = [];
    let superseded = 0;
    for (let tries = 0; latencies.length < READINGS && tries < READINGS * 3; tries++) {
      const t0 = Date.now();
      const shown = (await page.evaluate(`(() => {
        const it = window.__ioc.state.traffic.get(${JSON.stringify(seg)});
        return it ? it.speedKmh / ${segment.speedLimitKmh} : 1;
      })()`)) as number;
      const speed = Math.round(segment.speedLimitKmh * (shown < 0.5 ? 0.9 : 0.15));
      const waiting = page.evaluate(`new Promise((resolve) => {
        const ioc = window.__ioc;
        const giveUp = setTimeout(() => resolve(-1), ${READING_TIMEOUT_MS});
        const off = ioc.state.onChange(() => {
          const it = ioc.state.traffic.get(${JSON.stringify(seg)});
          // the simulator's next reading of the segment came in the same batch: ours never showed
          if (it && it.ts > ${t0}) {
            off();
            clearTimeout(giveUp);
            return resolve(-2);
          }
          if (it?.ts !== ${t0} || it.speedKmh !== ${speed}) return;
          off();
          const map = ioc.view.map;
          // roads drawn by MapLibre: the first frame it draws once the road has its new level
          // (feature state) puts it on screen; roads on the overlay: the first frame the overlay
          // draws after the state changed (a console older than the draw counter: every overlay
          // update was a draw)
          const onMap = !!map.getSource('ioc-traffic');
          const index = ioc.city.segments.findIndex((x) => x.id === ${JSON.stringify(seg)});
          const code = ${speed} < ${segment.speedLimitKmh} * 0.5 ? 3 : 0;
          const draws = () => onMap ? ioc.perf().mapDrawn : (ioc.perf().drawn ?? ioc.perf().renders);
          let drawn = onMap ? -1 : draws();
          // a drawn frame is commands sent to the GPU: reading a pixel back waits until it has
          // drawn them (SwiftShader takes a while), so the time is when the pixels exist
          const gl = onMap ? map.painter?.context?.gl : ioc.view?.overlay?._deck?.device?.gl;
          const pixel = new Uint8Array(4);
          const wait = () => {
            if (drawn < 0 && map.getFeatureState({ source: 'ioc-traffic', id: index }).l === code) drawn = draws();
            if (drawn >= 0 && draws() > drawn) {
              clearTimeout(giveUp);
              gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
              resolve(Date.now());
            } else requestAnimationFrame(wait);
          };
          requestAnimationFrame(wait);
        });
      })`) as Promise<number>;
      await client.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts: t0, speedKmh: speed }), {
        qos: 1,
      });
      const at = await waiting;
      if (at === -2) superseded++;
      else latencies.push(at < 0 ? READING_TIMEOUT_MS : at - t0);
      await new Promise((r) => setTimeout(r, 300));
    }
    await client.endAsync();
    const fps = frames.gaps.length / SECONDS;
    return {
      renderer,
      segments,
      cameras,
      frameP50Ms: Math.round(pct(frames.gaps, 50) * 10) / 10,
      frameP95Ms: Math.round(pct(frames.gaps, 95) * 10) / 10,
      fps: Math.round(fps * 10) / 10,
      overlayUpdates: frames.updates,
      overlayDraws: frames.draws,
      mapDraws: frames.mapDraws,
      panFps: Math.round((pan.gaps.length / pan.seconds) * 10) / 10,
      panFrameP50Ms: Math.round(pct(pan.gaps, 50) * 10) / 10,
      panFrameP95Ms: Math.round(pct(pan.gaps, 95) * 10) / 10,
      msPerUpdate: Math.round((frames.renderMs / Math.max(1, frames.updates)) * 100) / 100,
      longTasks: frames.longTasks,
      updateToPixelP50Ms: pct(latencies, 50),
      updateToPixelP95Ms: pct(latencies, 95),
      readingsSuperseded: superseded,
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
      {
        date: new Date().toISOString(),
        root: ROOT,
        renderer: `headless Chromium, --gl=${GL}: ${results[0]?.renderer ?? '?'}`,
        results,
      },
      null,
      2,
    ),
  );
  console.log(
    `\n${ROOT}\n${results[0]?.renderer ?? ''}\nsegments  cameras  frame p50/p95 ms   fps  updates  draws  map draws  pan fps  pan frame p50/p95 ms  ms/update  long tasks  update→pixel p50/p95 ms`,
  );
  for (const r of results)
    console.log(
      `${String(r.segments).padStart(8)} ${String(r.cameras).padStart(8)} ${`${r.frameP50Ms}/${r.frameP95Ms}`.padStart(17)} ${String(r.fps).padStart(5)} ${String(r.overlayUpdates).padStart(8)} ${String(r.overlayDraws).padStart(6)} ${String(r.mapDraws ?? '-').padStart(10)} ${String(r.panFps).padStart(8)} ${`${r.panFrameP50Ms}/${r.panFrameP95Ms}`.padStart(21)} ${String(r.msPerUpdate).padStart(10)} ${String(r.longTasks).padStart(11)} ${`${r.updateToPixelP50Ms}/${r.updateToPixelP95Ms}`.padStart(23)}`,
    );
  process.exit(0);
}

void main();
