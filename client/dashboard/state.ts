// The dashboard's state: the view (in the URL), the figures of the tab on screen, and how loading went.
import { signal } from '@preact/signals';
import type { DashboardResponse } from '#contract/dashboardApi.ts';
import { breakdownNames, type IndicatorDef } from '#contract/indicatorVocab.ts';
import type { SocioEconomicPoint } from '#contract/servicesApi.ts';
import type { TabData } from './api.ts';
import type { TabKey, View } from './view.ts';

export const view = signal<View>({ period: '7d' });
/** the figures on screen and the tab they are of (a tab shows only its own: never another's stale ones) */
export const data = signal<{ tab: TabKey; d: TabData } | undefined>(undefined);
export const loading = signal(true);
/** why the figures could not be loaded, in the reader's language (a message key's text, filled) */
export const failure = signal<string | undefined>(undefined);
/** why the last CSV download failed, in the reader's language */
export const csvFailure = signal<string | undefined>(undefined);
export const districtNames = signal<Map<string, string>>(new Map());
export const mapReady = signal(false);
/** when the figures were loaded (the "now" the view's range was taken at) */
export const loadedAt = signal(Date.now());
/** the indicator catalogue by id: the one place the indicators' names come from */
export const catalogue = signal<Map<string, IndicatorDef>>(new Map());
/** a topic or source code's name in a language (the code itself until the names are read, or for a code without one) */
export const breakdownName = signal(breakdownNames([]));
/** socio-economic series by indicator id, of the view on screen; `null` while one is loading */
export const socioSeries = signal<Map<string, DashboardResponse<SocioEconomicPoint> | null>>(new Map());

/** Shows another tab of the same period and district (the URL follows, see main.tsx). */
export function goTab(tab: TabKey): void {
  const { indicators: _, ...rest } = view.value;
  view.value = { ...rest, tab };
}

/** An indicator's name in the reader's language, from the catalogue; undefined for an id it does not have. */
export function indicatorName(id: string, l: 'vi' | 'en'): string | undefined {
  const def = catalogue.value.get(id);
  return def && (l === 'vi' ? def.nameVi : def.nameEn);
}
