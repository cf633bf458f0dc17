import { fmt, lang, t } from '../i18n/i18n.ts';
import type { FeedEntry } from '../live/liveState.ts';
import { CAMERA_COLORS, CATEGORY_COLORS, toCss } from '../map/layers/style.ts';
import { alertTitleText, incidentText } from './alertText.ts';
import { ctx } from './ctx.ts';
import { clock, feedTick, selection } from './store.ts';

const MAX_SHOWN = 30;

/** New incidents and camera events, newest first. */
export function FeedList() {
  feedTick.value;
  const c = ctx();
  const entries = c.state.feed.slice(0, MAX_SHOWN);
  return (
    <section class="feed" data-testid="feed">
      <div class="panel-title">{t('feed.title')}</div>
      {entries.length === 0 ? (
        <div class="feed-empty">{t('feed.empty')}</div>
      ) : (
        <ul class="feed-list">
          {entries.map((e) => (
            <FeedRow key={e.key} e={e} />
          ))}
        </ul>
      )}
    </section>
  );
}

function FeedRow({ e }: { e: FeedEntry }) {
  const c = ctx();
  const f = fmt.value;
  const now = clock.value;
  let color: string;
  let kind: string;
  let title: string;
  let where = '';
  let onClick: () => void;
  if (e.type === 'incident') {
    const cur = c.state.incidents.get(e.item.id) ?? e.item;
    color = toCss(CATEGORY_COLORS[cur.category] ?? CATEGORY_COLORS.other);
    kind = `${t('feed.incident')} · ${t(`state.${cur.status}`)}`;
    title = `${t(`cat.${cur.category}`)} · ${t('panel.severity')} ${cur.severity}`;
    where = incidentText(lang.value, cur, (id) => c.city.cameraById.get(id)?.name);
    onClick = () => openIncident(cur.id);
  } else if (e.type === 'camera') {
    const cam = c.city.cameraById.get(e.cameraId);
    color = toCss(CAMERA_COLORS.event);
    kind = t('feed.camera');
    title = t(`ev.${e.event.kind}`);
    where = cam?.name ?? e.cameraId;
    onClick = () => openCamera(e.cameraId);
  } else {
    color = e.item.severity >= 4 ? '#ef233c' : '#f59e0b';
    kind = t('feed.alert');
    title = alertTitleText(lang.value, e.item.title);
    onClick = () => {
      if (e.item.lon !== undefined && e.item.lat !== undefined) c.view.flyTo(e.item.lon, e.item.lat);
    };
  }
  const fresh = now - e.ts < 60_000;
  return (
    <li class={`feed-row${fresh ? ' fresh' : ''}`} data-testid="feed-row">
      <span class="feed-bar" style={{ background: color }} />
      <button type="button" class="feed-main" onClick={onClick}>
        <div class="feed-kind">
          {kind}
          <span class="feed-time">{f.time(e.ts)}</span>
        </div>
        <div class="feed-title">{title}</div>
        {where && <div class="feed-where">{where}</div>}
      </button>
    </li>
  );
}

export function openIncident(id: string): void {
  const c = ctx();
  selection.value = { kind: 'incident', id };
  const i = c.state.incidents.get(id);
  if (i) c.view.flyTo(i.lon, i.lat);
}

export function openCamera(id: string): void {
  const c = ctx();
  selection.value = { kind: 'camera', id };
  const cam = c.city.cameraById.get(id);
  if (cam) c.view.flyTo(cam.lon, cam.lat);
}
