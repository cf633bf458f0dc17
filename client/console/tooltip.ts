import { fmt, lang, t } from '../i18n/i18n.ts';
import type { LiveState } from '../live/liveState.ts';
import type { MapCity } from '../map/city.ts';
import { HOTSPOT_COLORS } from '../map/layers/hotspotLayer.ts';
import { cameraStatus, SPEED_COLORS, toCss, trafficLevel, trafficSwatchSvg } from '../map/layers/style.ts';
import { UNIT_COLORS, UNIT_GLYPHS, UNIT_STALE_COLOR } from '../map/layers/unitLayer.ts';
import type { Picked } from '../map/mapView.ts';
import { alarmStateText, alarmTitle } from './alarmText.ts';
import { incidentText } from './alertText.ts';
import { indicatorTitleCtx } from './indicatorNames.ts';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Hover card: name, value with unit, time of the reading. */
export function tooltipHtml(p: Picked, city: MapCity, state: LiveState, now: number): string | null {
  const f = fmt.value;
  if (p.kind === 'segment') {
    const s = p.segment;
    const item = state.traffic.get(s.id);
    const level = trafficLevel(item, s.speedLimitKmh, now);
    const value = item ? `${f.num(item.speedKmh)} ${t('unit.kmh')}` : t('panel.noReading');
    const when = item ? `${f.time(item.ts)} · ${f.ago(Math.max(0, now - item.ts))}` : '';
    return `<div class="tt"><div class="tt-name">${esc(s.name)}</div><div class="tt-value" style="color:${toCss(SPEED_COLORS[level])}">${esc(value)}</div><div class="tt-sub tt-level">${trafficSwatchSvg(level, 30)}${esc(t(`levelShort.${level}`))} · ${esc(t('panel.limit'))} ${f.num(s.speedLimitKmh)} ${esc(t('unit.kmh'))}</div><div class="tt-time">${esc(when)}</div></div>`;
  }
  if (p.kind === 'camera') {
    if (p.point.count > 1)
      return `<div class="tt"><div class="tt-name">${f.num(p.point.count)} camera</div><div class="tt-sub">${esc(t(`cam.${p.point.status}`))}</div></div>`;
    const id = p.point.cameraId ?? '';
    const cam = city.cameraById.get(id);
    const item = state.cameras.get(id);
    const st = cameraStatus(item, now);
    const when = item ? `${f.time(item.ts)} · ${f.ago(Math.max(0, now - item.ts))}` : '';
    return `<div class="tt"><div class="tt-name">${esc(cam?.name ?? id)}</div><div class="tt-value">${esc(t(`cam.${st}`))}</div>${item?.lastEvent ? `<div class="tt-sub">${esc(t(`ev.${item.lastEvent.kind}`))} · ${f.time(item.lastEvent.ts)}</div>` : ''}<div class="tt-time">${esc(when)}</div></div>`;
  }
  if (p.kind === 'alarm') {
    const a = p.alarm;
    const l = lang.value;
    const title = alarmTitle(l, a.title, {
      wardName: (id) => city.districtById.get(id)?.name,
      now,
      ...indicatorTitleCtx(),
    });
    const since = a.activatedAt ?? a.updatedAt;
    return `<div class="tt" data-testid="alarm-tooltip"><div class="tt-name">${esc(title)}</div><div class="tt-value">${esc(t(`alarm.prio.${a.priority}`))} · ${esc(alarmStateText(l, a))}</div><div class="tt-time">${f.time(since)} · ${f.ago(Math.max(0, now - since))}</div></div>`;
  }
  if (p.kind === 'hotspot') {
    const h = p.hotspot;
    const cam = city.cameraById.get(h.cameraId);
    return `<div class="tt" data-testid="hotspot-tooltip"><div class="tt-name">${esc(cam?.name ?? h.cameraId)}</div><div class="tt-value" style="color:${toCss(HOTSPOT_COLORS[h.level])}">${esc(t('hot.count', { n: f.num(h.count) }))}</div><div class="tt-sub">${esc(t(`hot.${h.level}`))} · ${esc(t('hot.threshold', { n: f.num(h.threshold) }))}</div><div class="tt-time">${f.time(h.ts)} · ${f.ago(Math.max(0, now - h.ts))}</div></div>`;
  }
  if (p.kind === 'unit') {
    const u = p.unit;
    const status = u.stale
      ? `${t(`units.status.${u.status}`)} · ${t('units.staleShort')}`
      : t(`units.status.${u.status}`);
    const color = toCss(u.stale ? UNIT_STALE_COLOR : UNIT_COLORS[u.status]);
    return `<div class="tt" data-testid="unit-tooltip"><div class="tt-name">${esc(u.name)}</div><div class="tt-value" style="color:${color}">${esc(`${UNIT_GLYPHS[u.status]} ${status}`)}</div><div class="tt-time">${f.time(u.ts)} · ${f.ago(Math.max(0, now - u.ts))}</div></div>`;
  }
  const i = p.incident;
  const about = incidentText(lang.value, i, (id) => city.cameraById.get(id)?.name);
  return `<div class="tt"><div class="tt-name">${esc(t(`cat.${i.category}`))}</div><div class="tt-value">${esc(t('panel.severity'))} ${i.severity} · ${esc(t(`state.${i.status}`))}</div>${about ? `<div class="tt-sub">${esc(about.slice(0, 120))}</div>` : ''}<div class="tt-time">${f.time(i.ts)} · ${f.ago(Math.max(0, now - i.ts))}</div></div>`;
}
