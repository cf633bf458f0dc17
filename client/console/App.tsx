import { useComputed } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { HOTSPOT_LEVELS, HOTSPOT_MAX_AGE_MS } from '#contract/hotspots.ts';
import { OPEN_INCIDENT_STATES } from '#contract/incidentLifecycle.ts';
import type { SpeedLevel } from '#contract/live.ts';
import { fmt, lang, t, toggleLang } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { HEAT_PERIODS } from '../map/layers/heatLayer.ts';
import { HOTSPOT_COLORS } from '../map/layers/hotspotLayer.ts';
import {
  ALARM_COLORS,
  ALARM_GLYPHS,
  CAMERA_COLORS,
  CATEGORY_COLORS,
  type RGBA,
  SPEED_LEVELS,
  toCss,
  trafficSwatch,
} from '../map/layers/style.ts';
import { UserMenu } from '../shared/UserMenu.tsx';
import { AlarmBanner, AlarmPanel, AlarmToggle, banner, EnableSound, PriorityIcon } from './Alarms.tsx';
import { unackedByPriority } from './alarmList.ts';
import { enableSound } from './alarmSoundHook.ts';
import { ctx } from './ctx.ts';
import { FeedList } from './Feed.tsx';
import { crowdThresholds, thresholdOf } from './hotspotStore.ts';
import { IncidentQueue } from './IncidentQueue.tsx';
import { computeKpis, isStale } from './kpis.ts';
import { ProvinceRow } from './ProvinceRow.tsx';
import { useKeyOpenedFocus } from './panelFocus.ts';
import { formatMoment, replay, timeBarOpen } from './replay.ts';
import { SecurityTile } from './Security.tsx';
import { SidePanel } from './SidePanel.tsx';
import { toggleFullscreen } from './shortcuts.ts';
import {
  clock,
  conn,
  heatPeriod,
  help,
  LAYER_KEYS,
  type LayerKey,
  lastLiveAt,
  layers,
  liveTick,
  queueOpen,
  toggleLayer,
  toggleQueue,
  wall,
} from './store.ts';
import { ReplayFrame, TimeBar } from './TimeBar.tsx';
import { UnitLegend } from './UnitPanel.tsx';
import { PlacingBanner } from './Unplaced.tsx';

export function App() {
  return (
    <div
      class={`console${wall.value ? ' wall' : ''}${banner.value ? ' has-alarm-banner' : ''}${replay.value ? ' replaying' : ''}${timeBarOpen.value ? ' time-bar-open' : ''}`}
      data-testid="console"
    >
      <Header />
      <div class="body">
        <main class="map-area">
          <AlarmBanner />
          <StaleBanner />
          <SidePanel />
          <LayerPanel />
          <IncidentQueue />
          <AlarmPanel />
          <ReplayFrame />
          <TimeBar />
          <PlacingBanner />
        </main>
        <aside class="sidebar">
          <KpiTiles />
          <ProvinceRow />
          <SecurityTile />
          <FeedList />
        </aside>
      </div>
      {help.value && <HelpSheet />}
    </div>
  );
}

function Header() {
  const now = clock.value;
  lang.value;
  return (
    <header class="topbar">
      <div class="brand">
        <div class="brand-mark" aria-hidden="true" />
        <div>
          <h1 class="brand-title">{t('app.title')}</h1>
          <div class="brand-city">{t('app.city')}</div>
        </div>
      </div>
      <div class="topbar-right">
        {replay.value ? (
          // the top bar tells the replayed moment too: a glance at the corner must not read "now"
          <div class="clock replaying" data-testid="clock" data-replay="true">
            {formatMoment(replay.value.at, lang.value)}
          </div>
        ) : (
          <div class="clock" data-testid="clock">
            {fmt.value.time(now)}
          </div>
        )}
        <ConnectionBadge />
        <EnableSound onEnable={enableSound} />
        <div class="chrome-buttons">
          <AlarmToggle />
          <button
            type="button"
            class={`btn${queueOpen.value ? ' active' : ''}`}
            data-testid="queue-toggle"
            onClick={toggleQueue}
            title="I"
          >
            {t('queue.toggle')}
          </button>
          <button type="button" class="btn" data-testid="lang-toggle" onClick={toggleLang} title="L">
            {t('lang.toggle')}
          </button>
          <button
            type="button"
            class="btn"
            data-testid="wall-toggle"
            onClick={() => (wall.value = !wall.value)}
            title="W"
          >
            {t('wall.toggle')}
          </button>
          <button
            type="button"
            class="btn btn-icon"
            onClick={() => toggleFullscreen()}
            title="F"
            aria-label={t('help.fullscreen')}
          >
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
              <path
                d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"
                fill="none"
                stroke="currentColor"
                stroke-width="2"
              />
            </svg>
          </button>
          <button
            type="button"
            class="btn btn-icon"
            data-testid="help-toggle"
            onClick={() => (help.value = !help.value)}
            title="?"
          >
            ?
          </button>
          <UserMenu tone="dark" />
        </div>
      </div>
    </header>
  );
}

function ConnectionBadge() {
  const s = conn.value;
  // replaying with the stream up: "live" would mislead; an outage still shows as one
  const replaying = !!replay.value && s === 'live';
  const key: MessageKey = replaying
    ? 'conn.replay'
    : s === 'live'
      ? 'conn.live'
      : s === 'offline'
        ? 'conn.offline'
        : 'conn.syncing';
  return (
    <div
      class={`badge badge-${s}${replaying ? ' badge-replay' : ''}`}
      data-testid="conn-badge"
      data-status={s}
      title={replaying ? t('conn.replayTitle') : undefined}
      role="status"
      aria-live="polite"
    >
      <span class="badge-dot" />
      {t(key)}
    </div>
  );
}

function StaleBanner() {
  if (conn.value !== 'offline') return null;
  const at = lastLiveAt.value;
  return (
    <div class="stale-banner" data-testid="stale-banner">
      {t('conn.staleBanner', { time: at ? fmt.value.time(at) : '—' })}
    </div>
  );
}

interface TileProps {
  id: string;
  label: string;
  value: string;
  unit?: string;
  sub?: preact.ComponentChildren;
  updatedAt: number;
  tone?: 'good' | 'warn' | 'bad';
  /** across both columns */
  wide?: boolean;
}

function Tile(p: TileProps) {
  const now = clock.value;
  const stale = isStale(p.updatedAt, now);
  return (
    <section
      class={`tile${stale ? ' stale' : ''}${p.tone ? ` tone-${p.tone}` : ''}${p.wide ? ' wide' : ''}`}
      data-testid={`kpi-${p.id}`}
      data-stale={stale}
    >
      <div class="tile-label">{p.label}</div>
      <div class="tile-value">
        <span data-testid={`kpi-${p.id}-value`}>{p.value}</span>
        {p.unit && <span class="tile-unit">{p.unit}</span>}
      </div>
      {p.sub && <div class="tile-sub">{p.sub}</div>}
      <div class="tile-age">
        {p.updatedAt > 0
          ? t('kpi.updated', { ago: fmt.value.ago(Math.max(0, now - p.updatedAt)) })
          : t('kpi.never')}
      </div>
    </section>
  );
}

function KpiTiles() {
  const c = ctx();
  const k = useComputed(() => {
    liveTick.value;
    clock.value;
    return computeKpis(
      c.city.segments,
      c.state.traffic,
      c.city.cameras.map((x) => x.id),
      c.state.cameras,
      c.state.incidents,
      c.live.serverNow(),
    );
  }).value;
  clock.value;
  const f = fmt.value;
  const at = c.live.confirmedAt;
  const stats = c.live.lastStats;
  const rp = replay.value;
  const openStates = OPEN_INCIDENT_STATES;
  const congestedShare = k.freshSegments > 0 ? k.congested / k.freshSegments : 0;
  return (
    <div class="tiles">
      <AlarmTile />
      <Tile
        id="avg-speed"
        label={t('kpi.avgSpeed')}
        value={k.avgSpeedKmh === null ? '—' : f.num(k.avgSpeedKmh)}
        unit={t('unit.kmh')}
        updatedAt={at.traffic}
      />
      <Tile
        id="congested"
        label={t('kpi.congested')}
        value={f.num(k.congested)}
        sub={t('kpi.ofSegments', { n: f.num(k.freshSegments) })}
        updatedAt={at.traffic}
        tone={congestedShare > 0.2 ? 'bad' : congestedShare > 0.1 ? 'warn' : 'good'}
      />
      <Tile
        id="cameras"
        label={t('kpi.cameras')}
        value={`${f.num(k.camerasOnline)}`}
        unit={`/ ${f.num(k.camerasTotal)}`}
        updatedAt={at.cameras}
        tone={k.camerasTotal > 0 && k.camerasOnline / k.camerasTotal < 0.9 ? 'warn' : 'good'}
      />
      {rp ? (
        <Tile
          id="rate"
          label={t('kpi.rate')}
          value={rp.ingestRate === null ? '—' : f.num(rp.ingestRate, rp.ingestRate < 10 ? 1 : 0)}
          unit={t('unit.perSec')}
          sub={t('replay.rateSub')}
          // as the other tiles in a replay: applied with the replayed moment (it read 'updated 31 hours ago', dimmed as stale)
          updatedAt={at.traffic}
        />
      ) : (
        <Tile
          id="rate"
          label={t('kpi.rate')}
          value={stats ? f.num(stats.stats.ingestRate, stats.stats.ingestRate < 10 ? 1 : 0) : '—'}
          unit={t('unit.perSec')}
          updatedAt={stats?.at ?? 0}
        />
      )}
      <Tile
        id="incidents"
        label={t('kpi.incidents')}
        value={f.num(k.openIncidents)}
        tone={k.incidents.new > 0 ? 'bad' : undefined}
        sub={
          <div class="state-chips">
            {openStates.map((s) => (
              <span class={`chip chip-${s}`} key={s}>
                {t(`state.${s}` as MessageKey)} <b>{f.num(k.incidents[s])}</b>
              </span>
            ))}
          </div>
        }
        updatedAt={at.incidents}
      />
    </div>
  );
}

/** Watched alarms waiting for an acknowledgement, by priority. */
function AlarmTile() {
  const c = ctx();
  liveTick.value;
  clock.value;
  const by = unackedByPriority(c.state.alarms.values());
  const n = by[1] + by[2] + by[3] + by[4];
  const f = fmt.value;
  return (
    <Tile
      id="alarms"
      wide
      label={t('alarm.kpi')}
      value={f.num(n)}
      tone={by[1] + by[2] > 0 ? 'bad' : n > 0 ? 'warn' : 'good'}
      sub={
        n === 0 ? (
          t('alarm.kpiNone')
        ) : (
          <div class="state-chips">
            {([1, 2, 3, 4] as const)
              .filter((p) => by[p] > 0)
              .map((p) => (
                <span class="chip chip-alarm" key={p} data-testid={`kpi-alarms-p${p}`}>
                  <PriorityIcon p={p} size={16} /> {t(`alarm.prio.${p}`)} <b>{f.num(by[p])}</b>
                </span>
              ))}
          </div>
        )
      }
      updatedAt={c.live.confirmedAt.alarms}
    />
  );
}

function Swatch({ color, ring }: { color: string; ring?: boolean }) {
  return (
    <span class={ring ? 'sw-ring' : 'sw-dot'} style={ring ? { borderColor: color } : { background: color }} />
  );
}

/** A road line as the map draws it: colour, width and dash pattern. */
function TrafficSwatch({ level }: { level: SpeedLevel }) {
  const g = trafficSwatch(level);
  return (
    <svg
      class="sw-path"
      width={g.length}
      height={g.height}
      viewBox={`0 0 ${g.length} ${g.height}`}
      aria-hidden="true"
    >
      <line
        x1={g.x1}
        y1={g.y}
        x2={g.x2}
        y2={g.y}
        stroke={g.color}
        stroke-width={g.width}
        stroke-linecap="round"
        stroke-dasharray={g.dash}
        stroke-dashoffset={g.dash ? g.dashOffset : undefined}
      />
    </svg>
  );
}

function LayerPanel() {
  const v = layers.value;
  lang.value;
  const row = (k: LayerKey, idx: number) => (
    <label class={`layer-toggle${v[k] ? ' on' : ''}`} key={k}>
      <input type="checkbox" checked={v[k]} onChange={() => toggleLayer(k)} data-testid={`layer-${k}`} />
      <span class="kbd">{idx + 1}</span>
      {t(`layer.${k}` as MessageKey)}
    </label>
  );
  return (
    <div class="layer-panel" data-testid="legend">
      <div class="panel-title">{t('layers.title')}</div>
      {row('traffic', 0)}
      {v.traffic && (
        <ul class="legend">
          {SPEED_LEVELS.map((l) => (
            <li key={l} data-testid={`legend-${l}`}>
              <TrafficSwatch level={l} />
              {t(`level.${l}` as MessageKey)}
            </li>
          ))}
          <li class="legend-note">{t('legend.congestedDashed')}</li>
        </ul>
      )}
      {row('cameras', 1)}
      {v.cameras && (
        // two columns: the panel must hold every layer's legend above the fold at 1080p
        <ul class="legend legend-grid">
          {(['online', 'offline', 'event', 'unknown'] as const).map((s) => (
            <li key={s}>
              <Swatch color={toCss(CAMERA_COLORS[s])} />
              {t(`cam.${s}`)}
            </li>
          ))}
          <li class="wide">
            <span class="sw-cluster">12</span>
            {t('cam.cluster')}
          </li>
        </ul>
      )}
      {row('incidents', 2)}
      {v.incidents && (
        <ul class="legend legend-grid">
          {(Object.keys(CATEGORY_COLORS) as Array<keyof typeof CATEGORY_COLORS>).map((c) => (
            <li key={c}>
              <Swatch color={toCss(CATEGORY_COLORS[c])} />
              {t(`cat.${c}`)}
            </li>
          ))}
          <li class="wide">
            <Swatch color="#fff" ring />
            {t('inc.new')}
          </li>
          <li class="wide">
            <span class="sw-sizes">
              <i />
              <i />
              <i />
            </span>
            {t('inc.severity')}
          </li>
        </ul>
      )}
      {row('heat', 3)}
      {v.heat && (
        <div class="legend heat-legend">
          <span class="heat-ramp" />
          <div class="periods" role="radiogroup" aria-label={t('heat.period')}>
            {HEAT_PERIODS.map((p) => (
              <button
                type="button"
                key={p}
                class={`btn btn-small${heatPeriod.value === p ? ' active' : ''}`}
                onClick={() => (heatPeriod.value = p)}
                data-testid={`heat-${p}`}
              >
                {t(`period.${p}`)}
              </button>
            ))}
          </div>
        </div>
      )}
      {row('labels', 4)}
      {row('alarms', 5)}
      {v.alarms && (
        <ul class="legend legend-grid" data-testid="legend-alarms">
          {([1, 2, 3, 4] as const).map((p) => (
            <li key={p}>
              <span class="sw-glyph" style={{ color: toCss(ALARM_COLORS[p]) }}>
                {ALARM_GLYPHS[p]}
              </span>
              {p} · {t(`alarm.prio.${p}`)}
            </li>
          ))}
          <li class="wide">
            <span class="sw-glyph halo">{ALARM_GLYPHS[3]}</span>
            {t('alarm.legend.unacked')}
          </li>
        </ul>
      )}
      {row('hotspots', 6)}
      {v.hotspots && <HotspotLegend />}
      {row('units', 7)}
      {replay.value ? (
        <div class="hint" data-testid="units-not-replayed">
          {t('replay.unitsLive')}
        </div>
      ) : (
        v.units && <UnitLegend />
      )}
      <div class="hint">{t('help.hint')}</div>
    </div>
  );
}

/** The hotspot layer's key: its three levels (colour and ring), what the size means, the thresholds. */
function HotspotLegend() {
  const th = crowdThresholds.value;
  liveTick.value;
  const f = fmt.value;
  const now = clock.value;
  const shown = [...ctx().state.cameras.values()].some(
    (c) => c.crowd && now - c.crowd.ts <= HOTSPOT_MAX_AGE_MS,
  );
  return (
    <ul class="legend legend-grid" data-testid="legend-hotspots">
      {HOTSPOT_LEVELS.map((l) => (
        <li key={l}>
          <span
            class={`sw-hot${l === 'over' ? ' over' : ''}`}
            style={{
              borderColor: toCss(HOTSPOT_COLORS[l]),
              background: toCss([...HOTSPOT_COLORS[l].slice(0, 3), 110] as RGBA),
            }}
          />
          {t(`hot.${l}`)}
        </li>
      ))}
      <li class="wide legend-note" data-testid="hotspot-thresholds">
        {t('hot.size')} · {t('hot.defaults', { n: f.num(th?.defaultThreshold ?? thresholdOf('')) })}
        {th && th.items.length > 0 ? ` · ${t('hot.own', { n: f.num(th.items.length) })}` : ''}
      </li>
      {!shown && <li class="wide legend-note">{t('hot.empty')}</li>}
    </ul>
  );
}

function HelpSheet() {
  lang.value;
  const sheet = useRef<HTMLDivElement>(null);
  useKeyOpenedFocus('help', true, sheet);
  const rows: Array<[string, MessageKey]> = [
    ['?', 'help.toggleHelp'],
    ['W', 'help.wall'],
    ['F', 'help.fullscreen'],
    ['L', 'help.lang'],
    ['I', 'help.queue'],
    ['A', 'alarm.help'],
    ['S', 'help.services'],
    ['1 – 8', 'help.layers'],
    ['P', 'help.period'],
    ['R', 'help.reset'],
    ['T', 'help.replay'],
    ['Esc', 'help.close'],
  ];
  return (
    <div class="help-backdrop">
      <div
        class="help-sheet"
        data-testid="help-sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        ref={sheet}
        tabIndex={-1}
      >
        <div class="help-head">
          <h2 id="help-title">{t('help.title')}</h2>
          <button
            type="button"
            class="btn btn-icon"
            onClick={() => (help.value = false)}
            aria-label={t('panel.close')}
          >
            ×
          </button>
        </div>
        <table>
          <tbody>
            {rows.map(([k, m]) => (
              <tr key={k}>
                <td>
                  <span class="kbd kbd-big">{k}</span>
                </td>
                <td>{t(m)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export { LAYER_KEYS };
