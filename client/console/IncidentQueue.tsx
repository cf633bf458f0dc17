import { useComputed } from '@preact/signals';
import { fmt, t } from '../i18n/i18n.ts';
import { CATEGORY_COLORS, toCss } from '../map/layers/style.ts';
import { CategoryIcon } from '../shared/CategoryIcon.tsx';
import { ctx } from './ctx.ts';
import { openIncident } from './Feed.tsx';
import { queueOrder } from './incidentQueue.ts';
import { clock, liveTick, queueOpen, selection, toggleQueue } from './store.ts';

const MAX_ROWS = 100;

/** Open incidents, most severe and longest waiting first (key I). */
export function IncidentQueue() {
  const c = ctx();
  const items = useComputed(() => {
    liveTick.value;
    return queueOrder(c.state.incidents.values());
  }).value;
  if (!queueOpen.value) return null;
  clock.value;
  const f = fmt.value;
  const now = c.live.serverNow();
  const sel = selection.value;
  return (
    <section class="queue-panel" data-testid="incident-queue">
      <div class="queue-head">
        <div class="panel-title">
          {t('queue.title')} <span class="queue-count">{t('queue.count', { n: f.num(items.length) })}</span>
        </div>
        <button
          type="button"
          class="btn btn-icon"
          onClick={toggleQueue}
          aria-label={t('panel.close')}
          title="I"
        >
          ×
        </button>
      </div>
      {items.length === 0 ? (
        <div class="feed-empty">{t('queue.empty')}</div>
      ) : (
        <ul class="queue-list">
          {items.slice(0, MAX_ROWS).map((i) => (
            <li key={i.id}>
              <button
                type="button"
                class={`queue-row${sel?.kind === 'incident' && sel.id === i.id ? ' selected' : ''}`}
                data-testid="queue-item"
                data-id={i.id}
                onClick={() => openIncident(i.id)}
              >
                <span
                  class="queue-icon"
                  style={{ background: toCss(CATEGORY_COLORS[i.category] ?? CATEGORY_COLORS.other) }}
                >
                  <CategoryIcon category={i.category} size={20} />
                </span>
                <span class="queue-main">
                  <span class="queue-title">
                    {t(`cat.${i.category}`)}
                    <span class={`sev-dot sev-${i.severity}`} title={t('panel.severity')}>
                      {i.severity}
                    </span>
                  </span>
                  {i.description && <span class="queue-desc">{i.description}</span>}
                  <span class="queue-age">{f.ago(Math.max(0, now - i.ts))}</span>
                </span>
                <span class={`chip chip-${i.status}`}>{t(`state.${i.status}`)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
