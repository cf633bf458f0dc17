import { useComputed } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { incidentNumber } from '#contract/incidentsApi.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import { CATEGORY_COLORS, toCss } from '../map/layers/style.ts';
import { CategoryIcon } from '../shared/CategoryIcon.tsx';
import { incidentText } from './alertText.ts';
import { ctx } from './ctx.ts';
import { openIncident } from './Feed.tsx';
import { type QueueTimer, queueOrder, queueTimer, queueTimerText } from './incidentQueue.ts';
import { useKeyOpenedFocus } from './panelFocus.ts';
import { clock, liveTick, queueOpen, selection, toggleQueue } from './store.ts';
import { UnplacedBlock } from './Unplaced.tsx';

const MAX_ROWS = 100;

/** The timer's icon: a clock, a warning triangle, an exclamation mark: the level reads without colour too. */
function TimerIcon({ level }: { level: QueueTimer['level'] }) {
  const common = { width: 16, height: 16, viewBox: '0 0 16 16' } as const;
  if (level === 'overdue')
    return (
      <svg {...common} aria-hidden="true">
        <circle cx="8" cy="8" r="7.5" fill="currentColor" />
        <rect x="7" y="3.5" width="2" height="6" rx="1" fill="#0b1220" />
        <circle cx="8" cy="12" r="1.2" fill="#0b1220" />
      </svg>
    );
  if (level === 'warning')
    return (
      <svg {...common} aria-hidden="true">
        <path d="M8 1 15.5 14.5h-15z" fill="currentColor" />
        <rect x="7.1" y="5.5" width="1.8" height="5" rx="0.9" fill="#0b1220" />
        <circle cx="8" cy="12.3" r="1" fill="#0b1220" />
      </svg>
    );
  return (
    <svg {...common} aria-hidden="true">
      <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path
        d="M8 4.5V8l2.5 1.8"
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linecap="round"
      />
    </svg>
  );
}

/** Open incidents in the order they need action (key I), each with its number and its SLA timer. */
export function IncidentQueue() {
  const c = ctx();
  // one shared clock (store.clock, once a second) re-sorts and re-times every row: no timer per row
  const items = useComputed(() => {
    liveTick.value;
    clock.value;
    return queueOrder(c.state.incidents.values(), c.live.serverNow());
  }).value;
  const root = useRef<HTMLElement>(null);
  useKeyOpenedFocus('queue', queueOpen.value, root);
  if (!queueOpen.value) return null;
  clock.value;
  const f = fmt.value;
  const l = lang.value;
  const now = c.live.serverNow();
  const cameraName = (id: string) => c.city.cameraById.get(id)?.name;
  const sel = selection.value;
  return (
    <section
      class="queue-panel"
      data-testid="incident-queue"
      ref={root}
      tabIndex={-1}
      aria-label={t('queue.title')}
    >
      <div class="queue-head">
        <div class="panel-title">
          {t('queue.title')} <span class="queue-count">{t('queue.count', { n: f.num(items.length) })}</span>
          <div class="queue-hint">{t('queue.sortHint')}</div>
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
      <UnplacedBlock />
      {items.length === 0 ? (
        <div class="feed-empty">{t('queue.empty')}</div>
      ) : (
        <ul class="queue-list">
          {items.slice(0, MAX_ROWS).map((i) => {
            const timer = queueTimer(i, now);
            const about = incidentText(l, i, cameraName);
            return (
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
                      <span class="queue-number" data-testid="queue-number">
                        {incidentNumber(i.id)}
                      </span>
                      <span class="queue-cat">{t(`cat.${i.category}`)}</span>
                      <span class={`sev-dot sev-${i.severity}`} title={t('panel.severity')}>
                        {i.severity}
                      </span>
                    </span>
                    {about && <span class="queue-desc">{about}</span>}
                    <span class="queue-meta">
                      {timer && (
                        <span
                          class={`queue-sla sla-${timer.level ?? 'ok'}`}
                          data-testid="queue-sla"
                          data-level={timer.level ?? 'ok'}
                          title={
                            timer.level === 'overdue'
                              ? t('sla.overdueTitle')
                              : timer.level === 'warning'
                                ? t('sla.warning')
                                : undefined
                          }
                        >
                          <TimerIcon level={timer.level} />
                          {queueTimerText(l, timer)}
                        </span>
                      )}
                      <span class="queue-age">{f.ago(Math.max(0, now - i.ts))}</span>
                    </span>
                  </span>
                  <span class={`chip chip-${i.status}`}>{t(`state.${i.status}`)}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
