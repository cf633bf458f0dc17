// Browser-test support: axe-core, the accessibility engine Lighthouse uses, run in the page as it is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './browser.ts';

let source: string | undefined;
const axeSource = () => {
  source ??= readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  return source;
};

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * The serious and critical violations axe-core finds on the page now, and any misuse of ARIA whatever
 * axe rates it (its aria-* rules: a role the element may not take is "minor" to axe, a failed audit to
 * Lighthouse), one readable line each.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // the pages' CSP (script-src 'self') refuses an injected <script> (page.addScriptTag): evaluated
  // through the DevTools protocol, as Lighthouse does, axe runs under the same CSP the users have
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${axeSource()}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: unknown[] }> } }
    ).axe;
    // WCAG 2.1 A and AA and axe's best practices: what Lighthouse's accessibility audit reads
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id.startsWith('aria-'))
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${v.impact} ${v.id} (${v.help}) at ${n.target.map(String).join(' > ')}: ${(n.failureSummary ?? '')
            .replace(/\s+/g, ' ')
            .trim()}`,
      ),
    );
}

/** Fails, listing each one, when axe-core finds a serious or critical violation on the page now. */
export async function expectNoSeriousA11y(page: Page, label: string): Promise<void> {
  const found = await seriousA11yViolations(page);
  if (found.length)
    throw new Error(`axe-core on ${label}: ${found.length} serious or critical\n  ${found.join('\n  ')}`);
}
