// The indicator catalogue as the console's alarm titles read it (`GET /api/indicators`): an indicator
// alarm carries ids only, the names are the catalogue's in the reader's language. Read once at start and
// again when an alarm names an indicator or agency it does not know (an admin added one).
import { signal } from '@preact/signals';
import type { AgencyView, IndicatorDef } from '#contract/indicatorVocab.ts';
import type { TitleContext } from './alarmText.ts';
import { api } from './api.ts';

const indicators = signal<ReadonlyMap<string, IndicatorDef>>(new Map());
const agencies = signal<ReadonlyMap<string, AgencyView>>(new Map());
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
    })
    .catch(() => {})
    .finally(() => {
      loadedAt = Date.now();
      loading = undefined;
    });
  return loading;
}

const lookup = <T>(m: ReadonlyMap<string, T>, id: string): T | undefined => {
  const x = m.get(id);
  if (!x && !loading && Date.now() - loadedAt > RELOAD_MIN_MS) void loadIndicatorNames();
  return x;
};

/** The title context's catalogue part (read inside a component, it redraws when the names arrive). */
export const indicatorTitleCtx = (): Pick<TitleContext, 'indicator' | 'agency'> => {
  const i = indicators.value;
  const a = agencies.value;
  return { indicator: (id) => lookup(i, id), agency: (id) => lookup(a, id) };
};
