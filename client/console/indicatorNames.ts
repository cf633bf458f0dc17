// The indicator catalogue as the console's alarm titles and service panels read it (`GET /api/indicators`):
// an indicator alarm or a topic ranking carries ids and codes only, the names are the catalogue's in the
// reader's language. Read once at start and again when an alarm names an indicator, agency, topic or source
// it does not know (an admin added one).
import { signal } from '@preact/signals';
import {
  type AgencyView,
  breakdownNames,
  type IndicatorDef,
  type LabelledDimension,
} from '#contract/indicatorVocab.ts';
import type { Lang } from '../i18n/format.ts';
import type { TitleContext } from './alarmText.ts';
import { api } from './api.ts';

const indicators = signal<ReadonlyMap<string, IndicatorDef>>(new Map());
const agencies = signal<ReadonlyMap<string, AgencyView>>(new Map());
const labels = signal(breakdownNames([]));
let loading: Promise<void> | undefined;
let loadedAt = 0;
/** an unknown id asks for the catalogue again at most this often */
const RELOAD_MIN_MS = 60_000;

/** Reads the catalogue (once at a time); a failure leaves the ids showing until the next try. */
export function loadIndicatorNames(): Promise<void> {
  loading ??= api
    .indicators()
    .then((r) => {
      indicators.value = new Map(r.items.map((d) => [d.id, d]));
      agencies.value = new Map(r.agencies.map((a) => [a.id, a]));
      labels.value = breakdownNames(r.labels);
    })
    .catch(() => {})
    .finally(() => {
      loadedAt = Date.now();
      loading = undefined;
    });
  return loading;
}

const reloadSoon = () => {
  if (!loading && Date.now() - loadedAt > RELOAD_MIN_MS) void loadIndicatorNames();
};

const lookup = <T>(m: ReadonlyMap<string, T>, id: string): T | undefined => {
  const x = m.get(id);
  if (!x) reloadSoon();
  return x;
};

/** A topic or source code's name in `lang` (read inside a component, it redraws when the names arrive); the code until an admin names it. */
export function breakdownName(dimension: LabelledDimension, code: string, lang: Lang): string {
  const name = labels.value(dimension, code, lang);
  if (name === code) reloadSoon();
  return name;
}

/** The title context's catalogue part (read inside a component, it redraws when the names arrive). */
export const indicatorTitleCtx = (): Pick<TitleContext, 'indicator' | 'agency' | 'breakdown'> => {
  const i = indicators.value;
  const a = agencies.value;
  labels.value; // subscribe: a title redraws when the names arrive
  return { indicator: (id) => lookup(i, id), agency: (id) => lookup(a, id), breakdown: breakdownName };
};
