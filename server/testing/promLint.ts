// Test support: the checks `promtool check metrics` makes of a Prometheus text exposition (its linter,
// client_golang's promlint), for machines without promtool. Each problem reads as promtool words it.

export interface MetricFamily {
  name: string;
  type: string;
  help: string | undefined;
  /** series lines: the sample's name (with _bucket, _sum, _count) and its label names */
  samples: Array<{ name: string; labels: string[] }>;
}

/** The families of an exposition, in order, from its `# HELP`/`# TYPE` lines and samples. */
export function parseExposition(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: undefined, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  let current: MetricFamily | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2] as string);
      if (meta[1] === 'HELP') f.help = meta[3];
      else f.type = meta[3] as string;
      current = f;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1] as string;
    const labels = [...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((x) => x[1] as string);
    const owner =
      current && (name === current.name || name.startsWith(`${current.name}_`)) ? current : family(name);
    owner.samples.push({ name, labels });
  }
  return [...families.values()];
}

/** Every series name an exposition offers a query: families, and a histogram's or summary's parts. */
export function seriesNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const f of parseExposition(text)) {
    out.add(f.name);
    if (f.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(f.name + s);
    if (f.type === 'summary') for (const s of ['_sum', '_count']) out.add(f.name + s);
  }
  return out;
}

/** Units promlint wants in base form, and the abbreviations it refuses. */
const UNITS: Record<string, string> = {
  amperes: 'amperes',
  bytes: 'bytes',
  celsius: 'celsius',
  grams: 'grams',
  joules: 'joules',
  kelvin: 'kelvin',
  meters: 'meters',
  metres: 'metres',
  seconds: 'seconds',
  volts: 'volts',
  milliseconds: 'seconds',
  microseconds: 'seconds',
  nanoseconds: 'seconds',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  kilobytes: 'bytes',
  megabytes: 'bytes',
  gigabytes: 'bytes',
  kilograms: 'grams',
  kilometers: 'meters',
  kilometres: 'metres',
};
const ABBREVIATIONS = new Set([
  's',
  'ms',
  'us',
  'ns',
  'sec',
  'b',
  'kb',
  'mb',
  'gb',
  'tb',
  'pb',
  'm',
  'h',
  'd',
]);

/** promtool's problems with an exposition: `name: text`, none for a clean one. */
export function lintExposition(text: string): string[] {
  const problems: string[] = [];
  const add = (name: string, text: string) => problems.push(`${name}: ${text}`);
  const seen = new Set<string>();
  for (const f of parseExposition(text)) {
    const n = f.name;
    if (seen.has(n)) add(n, 'metric not unique');
    seen.add(n);
    if (!f.help) add(n, 'no help text');
    if (n.includes(':')) add(n, "metric names should not contain ':'");
    if (/[a-z][A-Z]/.test(n)) add(n, "metric names should be written in 'snake_case' not 'camelCase'");
    for (const s of f.samples)
      for (const l of s.labels)
        if (/[a-z][A-Z]/.test(l)) add(n, "label names should be written in 'snake_case' not 'camelCase'");
    if (f.type === 'counter' && !n.endsWith('_total')) add(n, 'counter metrics should have "_total" suffix');
    if (f.type !== 'counter' && n.endsWith('_total'))
      add(n, 'non-counter metrics should not have "_total" suffix');
    if (f.type !== 'histogram' && f.type !== 'summary') {
      for (const suffix of ['_count', '_sum', '_bucket'])
        if (n.endsWith(suffix))
          add(n, `non-histogram and non-summary metrics should not have "${suffix}" suffix`);
      if (f.samples.some((s) => s.labels.includes('le')))
        add(n, 'non-histogram metrics should not have "le" label');
    }
    if (f.type !== 'summary' && f.samples.some((s) => s.labels.includes('quantile')))
      add(n, 'non-summary metrics should not have "quantile" label');
    const words = n.split('_');
    for (const t of ['counter', 'gauge', 'histogram', 'summary'])
      if (words.includes(t)) add(n, `metric name should not include type '${t}'`);
    for (const w of words) {
      const base = UNITS[w];
      if (base && base !== w) add(n, `use base unit "${base}" instead of "${w}"`);
    }
    // (promlint looks for `_ms_` or a trailing `_ms`: the first word is never a unit)
    if (words.slice(1).some((w) => ABBREVIATIONS.has(w)))
      add(n, 'metric names should not contain abbreviated units');
  }
  return problems;
}
