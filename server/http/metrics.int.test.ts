import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { lintExposition, seriesNames } from '../testing/promLint.ts';

const TOKEN = 'metrics-token-for-this-test-0123456789';
const DASHBOARD = new URL('../../deploy/grafana/ioc-health.json', import.meta.url);

/** promtool, where the machine has it (PROMTOOL=/path, or on PATH); undefined otherwise. */
function promtool(text: string): string | undefined {
  const bin = process.env.PROMTOOL ?? 'promtool';
  try {
    return execFileSync(bin, ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { code?: string; status?: number; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') return undefined;
    throw new Error(`promtool check metrics exited ${err.status}: ${err.stdout}${err.stderr}`);
  }
}

/** The metric names a dashboard's queries use: the identifiers of the IOC's, Node's and the process's. */
function dashboardMetrics(): string[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ definition?: string }> };
  };
  const exprs = [
    ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...d.templating.list.map((v) => v.definition ?? ''),
  ];
  return [...new Set(exprs.flatMap((e) => e.match(/\b(?:ioc|nodejs|process)_[a-z0-9_]+/g) ?? []))];
}

describe.each(iocSetups())('/metrics on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let text: string;

  beforeAll(async () => {
    ({ ioc, dispose } = await setup.start({ METRICS_TOKEN: TOKEN }));
    expect((await fetch(`${ioc.httpUrl}/api/health`)).status).toBe(200);
    const res = await fetch(`${ioc.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    text = await res.text();
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('passes the checks of promtool check metrics (and promtool itself where installed)', () => {
    expect(lintExposition(text)).toEqual([]);
    const out = promtool(text);
    if (out !== undefined) expect(out.trim()).toBe('');
  });

  it("shows what an operator of the IOC needs: MQTT up, the backlog, each request's route and status", () => {
    expect(text).toMatch(/^ioc_mqtt_connected 1$/m);
    expect(text).toMatch(/^ioc_ingest_pending_messages \d+$/m);
    expect(text).toMatch(
      /^ioc_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status="200"\} [1-9]/m,
    );
    expect(text).toMatch(/^ioc_db_write_retries_total 0$/m);
  });

  it('has every metric the Grafana dashboard in deploy/grafana names', () => {
    const names = dashboardMetrics();
    expect(names.length).toBeGreaterThan(10);
    const offered = seriesNames(text);
    // the refusals of the embedded broker: an external broker (Mosquitto) counts its own
    const embeddedOnly = new Set(['ioc_mqtt_denied_total']);
    const missing = names.filter(
      (n) => !offered.has(n) && !(embeddedOnly.has(n) && !setup.name.startsWith('embedded')),
    );
    expect(missing).toEqual([]);
  });
});
