import { fmt, t } from '../../i18n/i18n.ts';
import { isMine, myReports, outbox, statusCheckedAt } from '../fieldStore.ts';
import { OtherAccountItem, OutboxItem } from './OutboxItem.tsx';
import { Chip, ItemIcon } from './ReportItem.tsx';

/** "My reports": the outbox (what waits on this phone) and the reports this account sent. */
export function MineScreen() {
  const f = fmt.value;
  const entries = outbox.value;
  const sent = myReports.value;
  const checked = statusCheckedAt.value;
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
          {checked > 0 && (
            <span class="card-aside">
              {t('field.mine.updated', { ago: f.ago(Math.max(0, Date.now() - checked)) })}
            </span>
          )}
        </div>
        {sent.length === 0 ? (
          <p class="muted">{t('field.mine.empty')}</p>
        ) : (
          <ul class="list">
            {sent.map((m) => (
              <li key={m.clientId} class="item" data-testid="mine-item" data-number={m.number}>
                <ItemIcon category={m.category} />
                <div class="item-main">
                  <div class="item-title">
                    <span class="item-number">{m.number}</span> · {t(`cat.${m.category}`)}
                  </div>
                  <div class="item-sub">{f.dateTime(m.createdAt)}</div>
                  {m.description && <div class="item-desc">{m.description}</div>}
                </div>
                <Chip phase={m.status ?? 'new'} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
