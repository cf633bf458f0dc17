// The leaders' dashboard: the header (period, district, language, print), the tabs, and the tab on screen.
import type { JSX } from 'preact';
import { localDate } from '#contract/cityTime.ts';
import { formatDateTime, formatTime } from '../i18n/format.ts';
import { lang, t, toggleLang } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { session } from '../shared/session.ts';
import { UserMenu } from '../shared/UserMenu.tsx';
import type { DashboardData } from './api.ts';
import { OnlineInfoTab } from './OnlineInfoTab.tsx';
import { PublicServicesTab } from './PublicServicesTab.tsx';
import { SecurityTab } from './SecurityTab.tsx';
import { SocioEconomicTab } from './SocioEconomicTab.tsx';
import { SummaryTab } from './SummaryTab.tsx';
import {
  csvFailure,
  data,
  districtNames,
  failure,
  goTab,
  loadedAt,
  loading,
  mapReady,
  view,
} from './state.ts';
import { TrafficTab } from './TrafficTab.tsx';
import {
  PERIODS,
  type PeriodKey,
  TABS,
  type TabKey,
  type View,
  viewRange,
  viewTab,
  viewToSearch,
} from './view.ts';

const TAB_LABEL: Record<TabKey, MessageKey> = {
  summary: 'dash.tab.summary',
  traffic: 'dash.tab.traffic',
  'public-services': 'domain.public_services',
  'online-information': 'domain.online_information',
  'socio-economic': 'domain.socio_economic',
  security: 'dash.soc.tab',
};

/**
 * The tabs (the WAI-ARIA tab pattern: one tab stop, arrows, Home and End move between them). Each is a
 * link too, so a tab can be opened in a new window or its address copied; the printed page names its tab.
 */
function Tabs() {
  const current = viewTab(view.value);
  // information security is for operators and admins (the server refuses leaders, and audits each view)
  const role = session.value?.user.role;
  const shown = TABS.filter((k) => k !== 'security' || role === 'operator' || role === 'admin');
  const go = (next: TabKey, focus = false) => {
    goTab(next);
    if (focus) document.getElementById(`tab-${next}`)?.focus();
  };
  const onKey = (e: JSX.TargetedKeyboardEvent<HTMLAnchorElement>, i: number) => {
    const n = shown.length;
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % n
        : e.key === 'ArrowLeft'
          ? (i + n - 1) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : -1;
    if (to >= 0) {
      e.preventDefault();
      go(shown[to] as TabKey, true);
    } else if (e.key === ' ') {
      e.preventDefault();
      go(shown[i] as TabKey);
    }
  };
  return (
    <div class="tabs" role="tablist" aria-label={t('dash.tabs')} data-testid="tabs">
      {shown.map((k, i) => (
        <a
          role="tab"
          key={k}
          id={`tab-${k}`}
          href={`?${viewToSearch({ ...view.value, indicators: undefined, tab: k })}`}
          class={`tab${current === k ? ' on' : ''}`}
          aria-selected={current === k}
          aria-controls="tabpanel"
          tabIndex={current === k ? 0 : -1}
          data-testid={`tab-${k}`}
          onClick={(e) => {
            if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            go(k);
          }}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t(TAB_LABEL[k])}
        </a>
      ))}
    </div>
  );
}

function Controls() {
  const v = view.value;
  const names = districtNames.value;
  const set = (next: View) => {
    view.value = { ...next, tab: v.tab, indicators: v.indicators };
  };
  const { from, to } = viewRange(v, loadedAt.value);
  return (
    <div class="controls" data-testid="controls">
      <fieldset class="seg" aria-label={t('dash.period')}>
        {PERIODS.map((p: PeriodKey) => (
          <button
            type="button"
            key={p}
            class={v.period === p ? 'on' : ''}
            aria-pressed={v.period === p}
            data-testid={`period-${p}`}
            onClick={() =>
              set(
                p === 'custom'
                  ? { period: 'custom', from: localDate(from), to: localDate(to - 1), district: v.district }
                  : { period: p, district: v.district },
              )
            }
          >
            {t(`dash.period.${p}` as MessageKey)}
          </button>
        ))}
      </fieldset>
      {v.period === 'custom' && (
        <div class="dates">
          <label>
            {t('dash.from')}{' '}
            <input
              type="date"
              value={v.from}
              max={v.to}
              data-testid="date-from"
              onChange={(e) => set({ ...v, from: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label>
            {t('dash.to')}{' '}
            <input
              type="date"
              value={v.to}
              min={v.from}
              data-testid="date-to"
              onChange={(e) => set({ ...v, to: (e.target as HTMLInputElement).value })}
            />
          </label>
        </div>
      )}
      <label class="district">
        <span>{t('dash.district')}</span>
        <select
          data-testid="district"
          value={v.district ?? ''}
          onChange={(e) => {
            const d = (e.target as HTMLSelectElement).value;
            set({ ...v, district: d || undefined });
          }}
        >
          <option value="">{t('dash.allDistricts')}</option>
          {[...names].map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="btn" onClick={toggleLang} data-testid="lang">
        {t('lang.toggle')}
      </button>
      <button type="button" class="btn primary" onClick={() => window.print()} data-testid="print">
        {t('dash.print')}
      </button>
      <UserMenu tone="light" />
    </div>
  );
}

export function App() {
  const l = lang.value;
  const loaded = data.value;
  const names = districtNames.value;
  const tab = viewTab(view.value);
  // only the figures of the tab on screen: another tab's, still there while this one loads, are not shown
  const d = loaded?.tab === tab ? loaded.d : undefined;
  const p = d && Object.values(d).find((x) => x && 'period' in x)?.period;
  const dn = (id: string | null) => (id ? (names.get(id) ?? id) : '—');
  const dateText = (ms: number) => localDate(ms).split('-').reverse().join('/');

  return (
    <div class="page" data-ready={d && !loading.value && mapReady.value ? 'true' : 'false'} data-tab={tab}>
      <header class="top">
        <div class="brand">
          <div class="emblem" aria-hidden="true">
            IOC
          </div>
          <div>
            <div class="org">
              {t('app.title')} · {t('app.city')}
            </div>
            <h1>{t('dash.title')}</h1>
            {p && (
              <div class="period-line" data-testid="period-line">
                <span class="print-only">{t(TAB_LABEL[tab])} · </span>
                {t('dash.periodLine', { from: dateText(p.from), to: dateText(p.to - 86_400_000) })}
                {p.district ? ` · ${dn(p.district)}` : ` · ${t('dash.allDistricts')}`}
                <span class="print-only">
                  {' '}
                  · {t('dash.generated', { time: formatDateTime(l, loadedAt.value) })}
                </span>
                <span class="screen-only" data-testid="updated-at" title={t('dash.updatedTitle')}>
                  {' '}
                  · {t('dash.updated', { time: formatTime(l, loadedAt.value) })}
                </span>
              </div>
            )}
          </div>
        </div>
        <Controls />
      </header>
      <Tabs />
      {failure.value && (
        <div class="banner" role="alert" data-testid="load-error">
          {t('dash.error', { msg: failure.value })}
        </div>
      )}
      {csvFailure.value && (
        <div class="banner banner-float" role="alert" data-testid="csv-error">
          <span>{csvFailure.value}</span>
          <button type="button" class="banner-close" onClick={() => (csvFailure.value = undefined)}>
            {t('download.dismiss')}
          </button>
        </div>
      )}
      {!d ? (
        !failure.value && <div class="loading">{t('dash.loading')}</div>
      ) : (
        // the tab panel inside the main landmark: a <main> may not take the tabpanel role (axe aria-allowed-role)
        <main class={loading.value ? 'stale' : ''} aria-busy={loading.value}>
          <div id="tabpanel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
            {tab === 'summary' && <SummaryTab d={d} l={l} />}
            {tab === 'traffic' && <TrafficTab d={d as DashboardData} l={l} wardName={dn} />}
            {tab === 'public-services' && <PublicServicesTab d={d} l={l} />}
            {tab === 'online-information' && <OnlineInfoTab d={d} l={l} />}
            {tab === 'socio-economic' && <SocioEconomicTab d={d} l={l} />}
            {tab === 'security' && <SecurityTab d={d} l={l} />}
          </div>
        </main>
      )}
    </div>
  );
}
