import type { ReportUpdate } from '#contract/incidentsApi.ts';
import { fmt, t } from '../../i18n/i18n.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import { isMine, myReports, online, outbox, statusCheckedAt } from '../fieldStore.ts';
import type { MyReport } from '../outbox.ts';
import { feedLive } from '../reportFeed.ts';
import { OtherAccountItem, OutboxItem } from './OutboxItem.tsx';
import { Chip, ItemIcon } from './ReportItem.tsx';

/** "My reports": the outbox (what waits on this phone) and the reports this account sent. */
export function MineScreen() {
  const f = fmt.value;
  const entries = outbox.value;
  const sent = myReports.value;
  const checked = statusCheckedAt.value;
  const live = feedLive.value && online.value;
  return (
    <div class="mine" data-testid="mine">
      {entries.length > 0 && (
        <section class="card">
          <div class="card-head">
            <h2>{t('field.outbox.title')}</h2>
          </div>
          <ul class="list">
            {entries.map((e) =>
              isMine(e) ? <OutboxItem key={e.id} e={e} /> : <OtherAccountItem key={e.id} e={e} />,
            )}
          </ul>
        </section>
      )}
      <section class="card">
        <div class="card-head">
          <h2>{t('field.tab.mine')}</h2>
          {live ? (
            <span class="card-aside live" data-testid="mine-live">
              {t('field.mine.live')}
            </span>
          ) : (
            checked > 0 && (
              <span class="card-aside" data-testid="mine-checked">
                {t('field.mine.updated', { ago: f.ago(Math.max(0, Date.now() - checked)) })}
              </span>
            )
          )}
        </div>
        {sent.length === 0 ? (
          <p class="muted">{t('field.mine.empty')}</p>
        ) : (
          <ul class="list">
            {sent.map((m) => (
              <li key={m.clientId} class="item item-mine" data-testid="mine-item" data-number={m.number}>
                <ItemIcon category={m.category} />
                <div class="item-main">
                  <div class="item-title">
                    <span class="item-number">{m.number}</span> · {t(`cat.${m.category}`)}
                  </div>
                  <div class="item-sub">{f.dateTime(m.createdAt)}</div>
                  {m.description && <div class="item-desc">{m.description}</div>}
                </div>
                <Chip phase={m.status ?? 'new'} />
                <Updates m={m} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/** What the centre did with a report, newest first: its steps, and the notes an operator left for the reporter. */
function Updates({ m }: { m: MyReport }) {
  const f = fmt.value;
  const ups = (m.updates ?? [])
    .filter((u) => u.note || u.toStatus)
    .slice(-3)
    .reverse();
  if (!ups.length && !m.mergedInto) return null;
  return (
    <ul class="updates" data-testid="mine-updates">
      {m.mergedInto && <li class="update">{t('field.mine.merged', { number: m.mergedInto.number })}</li>}
      {ups.map((u) => (
        <li key={`${u.time}-${u.action}`} class="update" data-testid="mine-update">
          <span class="update-when">{f.time(u.time)}</span> {stepText(u)}
          {u.note && (
            <div class="update-note" data-testid="mine-note">
              “{u.note}”
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function stepText(u: ReportUpdate): string {
  if (u.action === 'note') return t('field.mine.note');
  if (u.action === 'merged') return t('field.mine.mergedStep');
  return u.toStatus ? t(`state.${u.toStatus}` as MessageKey) : t('field.mine.note');
}
