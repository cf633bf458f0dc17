// A vitest reporter, beside the default one: the run ends with what it did not test, and why.
// Integration suites leave out what the machine does not offer: testBackends() runs on PostgreSQL
// only with TEST_DATABASE_URL, iocSetups() on Mosquitto + PostgreSQL only with TEST_MQTT_URL and
// TEST_DATABASE_URL, and some suites skip themselves (describe.runIf) without a service or a tool.
// A green run that quietly tested less should say so at the end, where it is read.
import type { Reporter, TestModule, TestSuite } from 'vitest/node';

/** The services the integration suites look for, and the env var that names each. */
const SERVICES = ['TEST_DATABASE_URL', 'TEST_MQTT_URL', 'TEST_REDIS_URL'] as const;

/**
 * Variants that describe.each(testBackends()) / describe.each(iocSetups()) leave out: they name their
 * suites after the set-up ('… on pglite', '… on embedded (aedes + PGlite)'), so a file that has the
 * embedded set-up's suite and not the other's ran without the service.
 */
const VARIANTS: Array<{ ran: RegExp; other: RegExp; needs: Array<(typeof SERVICES)[number]> }> = [
  { ran: /\bpglite\b/, other: /\bpostgres\b/, needs: ['TEST_DATABASE_URL'] },
  { ran: /\bembedded \(aedes/, other: /\bservices \(/, needs: ['TEST_MQTT_URL', 'TEST_DATABASE_URL'] },
];

export default class SkipReport implements Reporter {
  private filtered = false;

  onInit(vitest: { config: { testNamePattern?: RegExp } }): void {
    // with -t, every test the pattern leaves out is "skipped": no news
    this.filtered = !!vitest.config.testNamePattern;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const unset = SERVICES.filter((v) => !process.env[v]);
    const lines = new Map<string, string[]>();
    const add = (why: string, what: string) => {
      const l = lines.get(why) ?? [];
      if (!l.includes(what)) l.push(what);
      lines.set(why, l);
    };

    for (const m of testModules) {
      const file = m.relativeModuleId;
      const suites = [...m.children.allSuites()];
      for (const v of VARIANTS) {
        const missing = v.needs.filter((n) => unset.includes(n));
        if (!missing.length) continue;
        if (suites.some((s) => v.ran.test(s.name)) && !suites.some((s) => v.other.test(s.name)))
          add(`no ${missing.join(', ')}`, file);
      }
      // tests that skipped themselves at run time say why (ctx.skip(note))
      for (const t of m.children.allTests('skipped')) {
        const note = t.result().state === 'skipped' ? (t.result() as { note?: string }).note : undefined;
        if (note) add(note, `${file} › ${t.fullName}`);
      }
      if (this.filtered) continue;
      // suites skipped as a whole (describe.skip, runIf(false)): the outermost one, by its name
      for (const s of suites)
        if (s.options.mode === 'skip' && !skippedParent(s)) add('skipped', `${file} › ${s.fullName}`);
    }

    if (!lines.size) return;
    const out = ['', 'Not tested in this run:'];
    if (unset.length) out.push(`  (services not configured: ${unset.join(', ')})`);
    for (const [why, whats] of lines) {
      const label = why === 'skipped' ? 'skipped' : `skipped (${why})`;
      out.push(`  ${label}: ${whats.join(', ')}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
}

function skippedParent(s: TestSuite): boolean {
  const p = s.parent;
  return p.type === 'suite' && p.options.mode === 'skip';
}
