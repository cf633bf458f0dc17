import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { lintExposition, seriesNames } from '../testing/promLint.ts';

const TOKEN = 'metrics-token-for-this-test-0123456789';
const DASHBOARD = new URL('../../deploy/grafana/ioc-health.json', import.meta.url);

/**
 * promtool with these arguments, where the machine has it (PROMTOOL=/path, or on PATH; Debian's
 * prometheus package); undefined otherwise, unless IOC_REQUIRE_SERVICES=1 (CI installs it).
 */
function promtool(args: string[], input?: string): string | undefined {
  const bin = process.env.PROMTOOL ?? 'promtool';
  try {
    return execFileSync(bin, args, { input, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { code?: string; status?: number; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      if (process.env.IOC_REQUIRE_SERVICES === '1')
        throw new Error('IOC_REQUIRE_SERVICES=1 but promtool is missing (apt-get install prometheus)');
      return undefined;
    }
    throw new Error(`promtool ${args.join(' ')} exited ${err.status}: ${err.stdout}${err.stderr}`);
  }
}

/** Every query of the Grafana dashboard, its variables filled in as Grafana would. */
function dashboardQueries(): string[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  return d.panels
    .flatMap((p) => (p.targets ?? []).map((t) => t.expr))
    .map((e) => e.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*'));
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
    const out = promtool(['check', 'metrics'], text);
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

describe('the Grafana dashboard in deploy/grafana', () => {
  it("has queries Prometheus parses (promtool check rules, each query as a recording rule's expression)", () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-grafana-'));
    try {
      const file = path.join(dir, 'rules.yml');
      // JSON is YAML: one group, one rule per query
      const rules = queries.map((expr, i) => ({ record: `ioc_dashboard:query_${i}`, expr }));
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'grafana', rules }] }));
      const out = promtool(['check', 'rules', file]);
      if (out !== undefined) expect(out).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
