import { effect } from '@preact/signals';
import { render } from 'preact';
// 1:50m countries (0.76 MB, 1:10m is 3.7 MB): the coast and borders around one province at city
// zoom; the city's own districts, water and roads come from the city model
import worldUrl from 'world-atlas/countries-50m.json?url';
import { lang, t } from '../i18n/i18n.ts';
import { LiveClient } from '../live/liveClient.ts';
import { LiveState } from '../live/liveState.ts';
import { parseCity } from '../map/city.ts';
import { MapView } from '../map/mapView.ts';
import { onUnauthenticated } from '../shared/session.ts';
import { App } from './App.tsx';
import { unackedCount } from './alarmList.ts';
import { startAlarmSound } from './alarmSoundHook.ts';
import { alarmFocus, alarmsOpen, focusAlarm } from './alarmStore.ts';
import { api } from './api.ts';
import { setCtx } from './ctx.ts';
import { openCamera, openIncident } from './Feed.tsx';
import { crowdThresholdsLoads, startCrowdThresholds, thresholdOf } from './hotspotStore.ts';
import { loadIndicatorNames } from './indicatorNames.ts';
import { startProvinceTiles } from './provinceStore.ts';
import { ReplayPlayer, timeBarOpen } from './replay.ts';
import { startSecurity } from './securityStore.ts';
import { installShortcuts } from './shortcuts.ts';
import { clock, conn, feedTick, heatPeriod, lastLiveAt, layers, liveTick, selection, wall } from './store.ts';
import { setReplayPlayer } from './TimeBar.tsx';
import { tooltipHtml } from './tooltip.ts';
import { placing, startUnplaced } from './unplacedStore.ts';
import './console.css';

/** How often panels and KPIs re-read live data at most: the map has its own per-frame loop. */
const UI_REFRESH_MS = 250;

async function start(): Promise<void> {
  document.documentElement.lang = lang.value;
  const loading = document.getElementById('loading');
  if (loading) loading.textContent = t('loading.city');

  const params = new URLSearchParams(location.search);
  let city: ReturnType<typeof parseCity>;
  try {
    city = parseCity(await api.city());
  } catch (err) {
    if (loading) loading.textContent = `${t('error.city')}: ${(err as Error).message}`;
    // the server may be starting: try again shortly
    setTimeout(() => location.reload(), 5000);
    return;
  }
  loading?.remove();

  // a real basemap by configuration: `?style=` a style URL, `?pmtiles=` a PMTiles archive
  const pmtiles = params.get('pmtiles');
  const style = pmtiles
    ? await import('../map/pmtilesStyle.ts')
        .then((m) => m.pmtilesStyle(pmtiles))
        .catch((err) => {
          console.warn('PMTiles basemap unavailable, using the offline one', err);
          return undefined;
        })
    : undefined;

  const state = new LiveState();
  const live = new LiveClient(state);
  const mapEl = document.getElementById('map') as HTMLElement;
  const view = new MapView({
    container: mapEl,
    city,
    state,
    now: () => live.serverNow(),
    ui: () => ({
      visible: layers.value,
      heatPeriod: heatPeriod.value,
      // a service's panel marks nothing on the map
      selection:
        selection.value?.kind === 'service' || selection.value?.kind === 'security' ? null : selection.value,
      alarmId: alarmsOpen.value ? alarmFocus.value : null,
      hotspotThreshold: thresholdOf,
      thresholdsVersion: crowdThresholdsLoads.value,
    }),
    onSelect: (p) => {
      // while an unplaced report is being placed, a click on the map is its position, not a choice
      if (placing.value) return;
      if (!p) selection.value = null;
      else if (p.kind === 'alarm') focusAlarm(p.alarm.id);
      else if (p.kind === 'segment') selection.value = { kind: 'segment', id: p.segment.id };
      else if (p.kind === 'incident') selection.value = { kind: 'incident', id: p.incident.id };
      else if (p.kind === 'unit') selection.value = { kind: 'unit', id: p.unit.id };
      else if (p.kind === 'hotspot') selection.value = { kind: 'camera', id: p.hotspot.cameraId };
      else if (p.point.cameraId) selection.value = { kind: 'camera', id: p.point.cameraId };
    },
    tooltip: (p) => tooltipHtml(p, city, state, live.serverNow()),
    styleUrl: params.get('style') ?? undefined,
    style,
    pixelRatio: Number(params.get('dpr')) || undefined,
    worldUrl,
  });
  setCtx({ city, state, live, view });
  // indicator alarms name their indicator and agency by id: the names come from the catalogue
  void loadIndicatorNames();
  // the tab says how many alarms wait, in the reader's language
  effect(() => {
    liveTick.value;
    const n = unackedCount(state.alarms.values());
    const base = `IOC — ${t('app.title')}`;
    document.title = n > 0 ? `${t('alarm.tabTitle', { n })} · ${base}` : base;
  });
  startAlarmSound(state);

  // live data → one map redraw per frame, and UI re-reads a few times a second
  let uiTimer: ReturnType<typeof setTimeout> | undefined;
  let feedSeen = state.feedVersion;
  state.onChange(() => {
    view.invalidate();
    if (uiTimer) return;
    uiTimer = setTimeout(() => {
      uiTimer = undefined;
      liveTick.value++;
      if (state.feedVersion !== feedSeen) {
        feedSeen = state.feedVersion;
        feedTick.value++;
      }
    }, UI_REFRESH_MS);
  });
  // the login ended while the console was open (logout elsewhere, disabled, timed out)
  live.on('unauthenticated', onUnauthenticated);
  conn.value = live.status;
  live.on('status', (s) => {
    conn.value = s;
    if (s === 'live') lastLiveAt.value = Date.now();
  });
  setInterval(() => {
    clock.value = Date.now();
    if (live.status === 'live') lastLiveAt.value = Date.now();
  }, 1000);
  // UI state the map draws: toggles, period, selection
  effect(() => {
    layers.value;
    heatPeriod.value;
    selection.value;
    alarmsOpen.value;
    alarmFocus.value;
    crowdThresholdsLoads.value;
    view.invalidate();
  });
  effect(() => {
    document.body.classList.toggle('wall-mode', wall.value);
    // the map area changes size with the chrome
    setTimeout(() => view.map.resize(), 0);
  });
  // the replay borrows the state; the URL holds the moment shown (`?at=`), so a link opens the same picture
  const player = new ReplayPlayer(state, live, (at) => {
    const u = new URL(location.href);
    if (at === null) u.searchParams.delete('at');
    else u.searchParams.set('at', new Date(at).toISOString());
    history.replaceState(history.state, '', u);
  });
  setReplayPlayer(player);
  installShortcuts(
    () => view.fitCity(),
    () => {
      if (!timeBarOpen.value) void player.openBar();
      else if (!player.isReplaying()) timeBarOpen.value = false;
    },
  );
  const atParam = params.get('at');
  const atMs = atParam ? (/^\d+$/.test(atParam) ? Number(atParam) : Date.parse(atParam)) : Number.NaN;
  if (Number.isFinite(atMs)) void player.seek(atMs).then(() => player.loadHistory());
  startProvinceTiles();
  startSecurity();
  startCrowdThresholds();
  startUnplaced(view.map);

  render(<App />, document.getElementById('app') as HTMLElement);

  // a stable hook for tests and debugging: clicking one line on a canvas is brittle
  (window as unknown as { __ioc: unknown }).__ioc = {
    city,
    state,
    live,
    view,
    openSegment: (id: string) => {
      selection.value = { kind: 'segment', id };
    },
    openCamera,
    openIncident,
    focusAlarm,
    replay: player,
    perf: () => ({
      renders: view.renders,
      renderMs: view.renderMs,
      drawn: view.drawn,
      mapDrawn: view.mapDrawn,
    }),
  };
}

void start();
