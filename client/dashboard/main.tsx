import { effect, signal } from '@preact/signals';
import { render } from 'preact';
import { lang, t } from '../i18n/i18n.ts';
import { App, data, districtNames, failure, loadedAt, loading, mapReady, view } from './App.tsx';
import { loadDashboard, loadDistricts } from './api.ts';
import { registerDistrictMap, resizeCharts } from './Chart.tsx';
import { dueForRefresh, parseView, viewToSearch } from './view.ts';
import './dashboard.css';

// The view lives in the URL: a shared link opens the same period and district.
view.value = parseView(location.search);
document.documentElement.lang = lang.value;
effect(() => {
  document.title = `IOC — ${t('dash.title')}`;
});

let inFlight: AbortController | undefined;
/** bumped to load the same view again (see below); `quiet`: the figures on screen stay undimmed meanwhile */
const reload = signal(0);
let quiet = false;
effect(() => {
  const v = view.value;
  reload.value;
  const search = `?${viewToSearch(v)}`;
  if (search !== location.search) history.replaceState(null, '', search);
  inFlight?.abort();
  const ac = new AbortController();
  inFlight = ac;
  const now = Date.now();
  if (!quiet) loading.value = true;
  quiet = false;
  loadDashboard(v, now, ac.signal).then(
    (d) => {
      if (ac.signal.aborted) return;
      loadedAt.value = now;
      data.value = d;
      failure.value = undefined;
      loading.value = false;
    },
    (err: Error) => {
      if (ac.signal.aborted) return;
      failure.value = err.message;
      loading.value = false;
    },
  );
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
  (err: Error) => {
    failure.value = err.message;
  },
);

// charts follow the page's width, which changes for print: redraw them at the printed size
matchMedia('print').addEventListener('change', () => resizeCharts());
window.addEventListener('beforeprint', () => resizeCharts());
window.addEventListener('afterprint', () => resizeCharts());

render(<App />, document.getElementById('app') as HTMLElement);
