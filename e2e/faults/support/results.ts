// What each scenario measured: appended by the test (before it asserts, so a failing scenario is in
// the table too), printed as one table and written to bench/results/faults.json at the end of the run.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './util.ts';

export interface FaultResult {
  scenario: string;
  setup: string;
  /** publish calls made */
  published: number;
  /** ids the broker acknowledged (PUBACK) */
  acked: number;
  /** rows of this run's ids in the database */
  stored: number;
  /** acknowledged ids with no row */
  lost: number;
  /** rows beyond the first for one id */
  duplicated: number;
  peakRssMiB: number;
  rssBoundMiB: number;
  healthDuring: string;
  healthAfter: string;
  /** every criterion of the scenario met */
  pass: boolean;
  /** what failed, and anything else worth reading */
  notes: string[];
  seconds: number;
}

export const RESULTS_JSON = path.join(ROOT, 'bench/results/faults.json');

export function appendResult(file: string, r: FaultResult): void {
  appendFileSync(file, `${JSON.stringify(r)}\n`);
}

export function readResults(file: string): FaultResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FaultResult);
}

export function table(rs: FaultResult[]): string {
  const head = [
    'scenario',
    'published',
    'acked',
    'stored',
    'lost',
    'dup',
    'peak RSS MiB',
    'health during',
    'health after',
    'pass',
  ];
  const rows = rs.map((r) => [
    r.scenario,
    String(r.published),
    String(r.acked),
    String(r.stored),
    String(r.lost),
    String(r.duplicated),
    `${r.peakRssMiB} (≤ ${r.rssBoundMiB})`,
    r.healthDuring,
    r.healthAfter,
    r.pass ? 'PASS' : 'FAIL',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  const out = [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)];
  for (const r of rs) if (r.notes.length) out.push(`  ${r.scenario}: ${r.notes.join('; ')}`);
  return out.join('\n');
}

export function writeResults(rs: FaultResult[], commit: string): void {
  mkdirSync(path.dirname(RESULTS_JSON), { recursive: true });
  writeFileSync(
    RESULTS_JSON,
    `${JSON.stringify({ when: new Date().toISOString(), commit, scenarios: rs }, null, 2)}\n`,
  );
}
