// Runs once around the whole fault suite: a fresh results file for the scenarios to append to, and
// at the end the summary table on the terminal and in bench/results/faults.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { RESULTS_JSON, readResults, table, writeResults } from './results.ts';
import { ROOT } from './util.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsResultsFile: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-fault-results-'));
  const file = path.join(dir, 'results.jsonl');
  project.provide('faultsResultsFile', file);
  return () => {
    const rs = readResults(file);
    rmSync(dir, { recursive: true, force: true });
    if (!rs.length) return;
    let commit = 'unknown';
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--', 'server', 'sql'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (dirty.trim()) commit += '+uncommitted';
    } catch {
      // not a git checkout: the figures stand without it
    }
    writeResults(rs, commit);
    process.stdout.write(
      `\nFault suite (${commit})\n${table(rs)}\n${path.relative(ROOT, RESULTS_JSON)} written\n`,
    );
  };
}
