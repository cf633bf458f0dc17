import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Bus } from '../bus.ts';
import type { IocModule } from './module.ts';

/**
 * Gives memory back after a burst. V8 collects its old generation when it reaches a limit that grows
 * with the heap, not when the process goes quiet: after the first start's history (or a large import)
 * the main heap held ~240 MB of which ~57 MB was alive, and stayed so at rest (the RSS 777 MB, 570 MB
 * after one full collection). Every `checkMs`, when the ingest stored fewer than `quietPerS` messages a
 * second since the last check and the heap grew `growthBytes` past what the last full collection left
 * (the least of V8's own since this module's last one), this asks V8 for one: a pause of tens of ms,
 * only at a quiet moment; under load V8's own concurrent collector is left alone.
 */
export function memoryModule(
  o: { checkMs?: number; quietPerS?: number; growthBytes?: number } = {},
): IocModule & { collections(): number; checks(): number } {
  const name = 'memory';
  const checkMs = o.checkMs ?? 30_000;
  const quietPerS = o.quietPerS ?? 2_000;
  const growth = o.growthBytes ?? 64 * 2 ** 20;
  let stored = 0;
  let afterGc = process.memoryUsage().heapUsed;
  let collections = 0;
  let checks = 0;
  let timer: NodeJS.Timeout | undefined;
  let observer: PerformanceObserver | undefined;
  let bus: Bus | undefined;
  return {
    name,
    collections: () => collections,
    checks: () => checks,
    start(deps) {
      const { log } = deps;
      bus = deps.bus;
      const gc = exposeGc();
      bus.on('ingest:stored', name, (e) => {
        for (const n of Object.values(e.byKind)) stored += n;
      });
      // V8's own full collections lower the baseline, never raise it: one in the middle of a burst
      // leaves the burst's live data, garbage a moment later
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries())
          if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
            afterGc = Math.min(afterGc, process.memoryUsage().heapUsed);
      });
      observer.observe({ entryTypes: ['gc'] });
      let last = Date.now();
      timer = setInterval(() => {
        const now = Date.now();
        const rate = stored / Math.max(1, (now - last) / 1000);
        stored = 0;
        last = now;
        checks++;
        if (!gc || rate >= quietPerS) return;
        const before = process.memoryUsage().heapUsed;
        if (before - afterGc < growth) return;
        const t0 = performance.now();
        gc();
        collections++;
        afterGc = process.memoryUsage().heapUsed;
        log.debug(
          {
            heapMiB: Math.round(before / 2 ** 20),
            afterMiB: Math.round(afterGc / 2 ** 20),
            ms: Math.round(performance.now() - t0),
          },
          'quiet: garbage collected',
        );
      }, checkMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      observer?.disconnect();
      bus?.removeAll(name);
    },
  };
}

/** V8's `gc()`, which node gives only with --expose-gc: the flag set now, the function from a new context. */
function exposeGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
