import { useEffect, useRef, useState } from 'preact/hooks';
import type { TrafficHistoryPoint } from '#contract/api.ts';
import { fmt, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import {
  CAMERA_COLORS,
  cameraStatus,
  SPEED_COLORS,
  TRAFFIC_STALE_MS,
  toCss,
  trafficLevel,
} from '../map/layers/style.ts';
import { api, type CameraEvent } from './api.ts';
import { ctx } from './ctx.ts';
import { IncidentPanel } from './IncidentPanel.tsx';
import { useKeyOpenedFocus } from './panelFocus.ts';
import { Row } from './Row.tsx';
import { SecurityPanel } from './Security.tsx';
import { ServicePanel } from './ServicePanels.tsx';
import { clock, liveTick, selection } from './store.ts';
import { UnitPanel } from './UnitPanel.tsx';

/** Details of the selected segment, camera or incident, live. */
export function SidePanel() {
  const sel = selection.value;
  const root = useRef<HTMLElement>(null);
  useKeyOpenedFocus('side', !!sel, root);
  if (!sel) return null;
  const titleKey: MessageKey =
    sel.kind === 'segment'
      ? 'panel.segment'
      : sel.kind === 'camera'
        ? 'panel.camera'
        : sel.kind === 'service'
          ? 'prov.panel'
          : sel.kind === 'security'
            ? 'sec.title'
            : sel.kind === 'unit'
              ? 'units.panel'
              : 'panel.incident';
  return (
    <aside
      ref={root}
      tabIndex={-1}
      class={`side-panel${sel.kind === 'service' || sel.kind === 'security' ? ' side-panel-wide' : ''}`}
      data-testid="side-panel"
      data-kind={sel.kind}
      data-id={sel.id}
    >
      <div class="side-head">
        <span class="side-kind">{t(titleKey)}</span>
        <button
          type="button"
          class="btn btn-icon"
          onClick={() => (selection.value = null)}
          aria-label={t('panel.close')}
          data-testid="panel-close"
        >
          ×
        </button>
      </div>
      {sel.kind === 'segment' && <SegmentPanel id={sel.id} />}
      {sel.kind === 'camera' && <CameraPanel id={sel.id} />}
      {sel.kind === 'incident' && <IncidentPanel id={sel.id} />}
      {sel.kind === 'service' && <ServicePanel service={sel.id} />}
      {sel.kind === 'security' && <SecurityPanel />}
      {sel.kind === 'unit' && <UnitPanel id={sel.id} />}
    </aside>
  );
}

function When({ ts }: { ts: number }) {
  const f = fmt.value;
  const c = ctx();
  const age = c.live.serverNow() - ts;
  return (
    <span>
      {age > 43_200_000 ? f.dateTime(ts) : f.time(ts)} <span class="muted">({f.ago(Math.max(0, age))})</span>
    </span>
  );
}

function SegmentPanel({ id }: { id: string }) {
  liveTick.value;
  clock.value;
  const c = ctx();
  const f = fmt.value;
  const seg = c.city.segmentById.get(id);
  const item = c.state.traffic.get(id);
  const now = c.live.serverNow();
  const level = trafficLevel(item, seg?.speedLimitKmh ?? 50, now);
  const stale = !!item && now - item.ts > TRAFFIC_STALE_MS;
  if (!seg) return <div class="muted">{id}</div>;
  return (
    <div class="side-body">
      <h2 class="side-title" data-testid="panel-name">
        {seg.name}
      </h2>
      {seg.districtId && (
        <div class="side-subtitle">{c.city.districtById.get(seg.districtId)?.name ?? seg.districtId}</div>
      )}
      <div class="big-reading" style={{ color: toCss(SPEED_COLORS[level]) }}>
        <span data-testid="panel-speed">{item ? f.num(item.speedKmh) : '—'}</span>
        <span class="big-unit">{t('unit.kmh')}</span>
      </div>
      <div class={`level-pill level-${level}`} data-testid="panel-level">
        {t(`levelShort.${level}`)}
        {stale && ` · ${t('panel.stale')}`}
      </div>
      <Row k="panel.limit">
        {f.num(seg.speedLimitKmh)} {t('unit.kmh')}
      </Row>
      <Row k="panel.readingAt" testid="panel-time">
        {item ? <When ts={item.ts} /> : t('panel.noReading')}
      </Row>
      {item?.volume !== undefined && <Row k="panel.volume">{f.num(item.volume)}</Row>}
      {item?.occupancy !== undefined && <Row k="panel.occupancy">{f.num(item.occupancy * 100)} %</Row>}
      <Sparkline segmentId={id} limit={seg.speedLimitKmh} />
    </div>
  );
}

function Sparkline({ segmentId, limit }: { segmentId: string; limit: number }) {
  const [points, setPoints] = useState<TrafficHistoryPoint[] | 'error' | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    const load = () => {
      const to = Date.now();
      api
        .trafficHistory(segmentId, to - 86_400_000, to, ac.signal)
        .then((h) => setPoints(h.points))
        .catch(() => !ac.signal.aborted && setPoints('error'));
    };
    setPoints(null);
    load();
    // hourly buckets move slowly: a minute is fresh enough, and a failed load is retried by it
    const timer = setInterval(load, 30_000);
    return () => {
      ac.abort();
      clearInterval(timer);
    };
  }, [segmentId]);
  const f = fmt.value;
  let body: preact.ComponentChildren;
  if (points === null) body = <div class="muted">{t('panel.loading')}</div>;
  else if (points === 'error') body = <div class="muted">{t('panel.loadError')}</div>;
  else {
    const pts = points.filter((p) => p.avgSpeedKmh !== null);
    if (pts.length < 2) body = <div class="muted">{t('panel.noReading')}</div>;
    else {
      const W = 360;
      const H = 90;
      const t0 = pts[0].t;
      const t1 = pts[pts.length - 1].t;
      const max = Math.max(limit * 1.1, ...pts.map((p) => p.avgSpeedKmh ?? 0));
      const x = (tt: number) => ((tt - t0) / Math.max(1, t1 - t0)) * W;
      const y = (v: number) => H - (v / max) * H;
      const d = pts
        .map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.avgSpeedKmh ?? 0).toFixed(1)}`)
        .join('');
      body = (
        <svg
          class="spark"
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={t('panel.last24h')}
        >
          <line x1="0" x2={W} y1={y(limit)} y2={y(limit)} class="spark-limit" />
          <line x1="0" x2={W} y1={y(limit * 0.5)} y2={y(limit * 0.5)} class="spark-half" />
          <path d={d} class="spark-line" />
        </svg>
      );
      return (
        <div class="side-section">
          <div class="section-title">
            {t('panel.last24h')}{' '}
            <span class="muted">
              {f.time(t0)} – {f.time(t1)}
            </span>
          </div>
          {body}
        </div>
      );
    }
  }
  return (
    <div class="side-section">
      <div class="section-title">{t('panel.last24h')}</div>
      {body}
    </div>
  );
}

function CameraPanel({ id }: { id: string }) {
  liveTick.value;
  const now = clock.value;
  const c = ctx();
  const f = fmt.value;
  const cam = c.city.cameraById.get(id);
  const item = c.state.cameras.get(id);
  const status = cameraStatus(item, c.live.serverNow());
  // a new snapshot every 10 s, or as soon as the camera reports an event
  const bust = Math.floor(now / 10_000) + (item?.lastEvent?.ts ?? 0);
  const [events, setEvents] = useState<CameraEvent[] | 'error' | null>(null);
  const lastEventTs = item?.lastEvent?.ts ?? 0;
  useEffect(() => {
    const ac = new AbortController();
    api
      .cameraEvents(id, ac.signal)
      .then((r) => setEvents(r.items))
      .catch(() => !ac.signal.aborted && setEvents('error'));
    return () => ac.abort();
  }, [id, lastEventTs]);
  return (
    <div class="side-body">
      <h2 class="side-title" data-testid="panel-name">
        {cam?.name ?? id}
      </h2>
      {cam?.segmentId && <div class="side-subtitle">{c.city.segmentById.get(cam.segmentId)?.name}</div>}
      <div class="level-pill" style={{ background: toCss(CAMERA_COLORS[status]) }} data-testid="panel-status">
        {t(`cam.${status}`)}
      </div>
      <Row k="panel.lastStatus">{item ? <When ts={item.ts} /> : '—'}</Row>
      {item?.fps !== undefined && (
        <Row k="panel.status">
          {f.num(item.fps)} fps{item.bitrateKbps !== undefined && ` · ${f.num(item.bitrateKbps)} kbps`}
        </Row>
      )}
      <div class="side-section">
        <div class="section-title">{t('panel.snapshot')}</div>
        <img
          class="snapshot"
          src={api.cameraSnapshotUrl(id, bust)}
          alt={cam?.name ?? id}
          data-testid="panel-snapshot"
        />
      </div>
      <div class="side-section">
        <div class="section-title">{t('panel.events')}</div>
        {events === null && <div class="muted">{t('panel.loading')}</div>}
        {events === 'error' && <div class="muted">{t('panel.loadError')}</div>}
        {Array.isArray(events) && events.length === 0 && <div class="muted">{t('panel.noEvents')}</div>}
        {Array.isArray(events) && (
          <ul class="events">
            {events.slice(0, 12).map((e) => (
              <li key={`${e.ts}-${e.kind}`}>
                <span class="ev-time">{f.time(e.ts)}</span>
                <span class="ev-kind">{t(`ev.${e.kind}` as MessageKey)}</span>
                <span class="muted">
                  {e.count !== undefined && `${f.num(e.count)} · `}
                  {e.confidence !== undefined && `${t('panel.confidence')} ${f.num(e.confidence * 100)}%`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
