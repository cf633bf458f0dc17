import { effect, signal } from '@preact/signals';
import { render } from 'preact';
import { breakdownNames } from '#contract/indicatorVocab.ts';
import { lang, t } from '../i18n/i18n.ts';
import { App } from './App.tsx';
import { LoadError, loadDistricts, loadIndicators, loadSocioSeries, loadTab } from './api.ts';
import { registerDistrictMap, resizeCharts } from './Chart.tsx';
import { chosenIndicators } from './SocioEconomicTab.tsx';
import {
  breakdownName,
  catalogue,
  data,
  districtNames,
  failure,
  loadedAt,
  loading,
  mapReady,
  socioSeries,
  view,
} from './state.ts';
import { dueForRefresh, parseView, viewTab, viewToSearch } from './view.ts';
import './dashboard.css';

// The view lives in the URL: a shared link opens the same tab, period and district.
view.value = parseView(location.search);
document.documentElement.lang = lang.value;
effect(() => {
  document.title = `IOC — ${t('dash.title')}`;
});

/** Why the figures could not be loaded, in the reader's language; the server's words only for a bad request. */
function failureText(err: unknown): string {
  if (err instanceof LoadError) {
    if (err.status === 403) return t('dash.err.forbidden');
    if (err.status === 404) return t('dash.err.notFound');
    if (err.status === 400) return t('dash.err.invalid', { msg: err.message });
    return t('dash.err.server', { status: err.status });
  }
  // fetch itself failed: no answer from the server
  return t('dash.err.unreachable');
}
/** the last failure, kept so that its words follow a change of language */
let lastError: unknown;
effect(() => {
  lang.value;
  if (lastError !== undefined) failure.value = failureText(lastError);
});
const fail = (err: unknown) => {
  lastError = err;
  failure.value = failureText(err);
};

let inFlight: AbortController | undefined;
/** bumped to load the same view again (see below); `quiet`: the figures on screen stay undimmed meanwhile */
const reload = signal(0);
let quiet = false;
/** the view's figures, without the socio-economic charts chosen (choosing one loads only its series) */
const figuresKey = (s: string) => s.replace(/&?indicators=[^&]*/, '');
let loadedKey = '';
effect(() => {
  const v = view.value;
  reload.value;
  const search = `?${viewToSearch(v)}`;
  if (search !== location.search) history.replaceState(null, '', search);
  const key = `${figuresKey(search)}#${reload.peek()}`;
  if (key === loadedKey) return;
  loadedKey = key;
  inFlight?.abort();
  const ac = new AbortController();
  inFlight = ac;
  const now = Date.now();
  const tab = viewTab(v);
  if (!quiet) loading.value = true;
  quiet = false;
  loadTab(tab, v, now, ac.signal).then(
    (d) => {
      if (ac.signal.aborted) return;
      loadedAt.value = now;
      data.value = { tab, d };
      socioSeries.value = new Map();
      lastError = undefined;
      failure.value = undefined;
      loading.value = false;
    },
    (err: unknown) => {
      if (ac.signal.aborted) return;
      fail(err);
      loading.value = false;
    },
  );
});

// The socio-economic charts chosen: each indicator's series, read once per loaded view.
effect(() => {
  const loaded = data.value;
  const v = view.value;
  if (loaded?.tab !== 'socio-economic' || viewTab(v) !== 'socio-economic') return;
  const have = socioSeries.peek();
  const at = loadedAt.peek();
  for (const id of chosenIndicators(v.indicators, loaded.d.seIndicators?.items ?? [])) {
    if (have.has(id)) continue;
    socioSeries.value = new Map(socioSeries.peek()).set(id, null);
    loadSocioSeries(id, v, at).then(
      (s) => {
        if (data.peek() === loaded) socioSeries.value = new Map(socioSeries.peek()).set(id, s);
      },
      (err: unknown) => {
        if (data.peek() !== loaded) return;
        const next = new Map(socioSeries.peek());
        next.delete(id);
        socioSeries.value = next;
        fail(err);
      },
    );
  }
});

// Left open on a projector or a second screen, a view that reaches now keeps up: loaded again every
// 5 minutes while the page is seen, and at once when it is seen again after that.
function refreshIfDue(): void {
  if (document.visibilityState !== 'visible' || loading.value) return;
  if (!dueForRefresh(view.value, loadedAt.value, Date.now())) return;
  quiet = true;
  reload.value++;
}
setInterval(refreshIfDue, 30_000);
document.addEventListener('visibilitychange', refreshIfDue);

window.addEventListener('popstate', () => {
  view.value = parseView(location.search);
});

loadDistricts().then(
  ({ geojson, names }) => {
    registerDistrictMap(geojson);
    districtNames.value = names;
    mapReady.value = true;
  },
  (err: unknown) => fail(err),
);

// the catalogue names the service KPIs that the page has no words of its own for, and the topics and sources
loadIndicators().then(
  ({ items, labels }) => {
    catalogue.value = new Map(items.map((d) => [d.id, d]));
    breakdownName.value = breakdownNames(labels);
  },
  // the tabs still read without it: their own words name the known figures
  () => undefined,
);

// charts follow the page's width, which changes for print: redraw them at the printed size
matchMedia('print').addEventListener('change', () => resizeCharts());
window.addEventListener('beforeprint', () => resizeCharts());
window.addEventListener('afterprint', () => resizeCharts());

render(<App />, document.getElementById('app') as HTMLElement);
