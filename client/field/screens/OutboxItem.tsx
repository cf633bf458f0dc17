import { fmt, t } from '../../i18n/i18n.ts';
import { authProblem, discard, openForEdit, sender } from '../fieldStore.ts';
import type { OutboxEntry } from '../outbox.ts';
import { Chip, ItemIcon } from './ReportItem.tsx';

/** The account that wrote a report, as the list names it: "Nguyễn Văn An (an.nguyen)". */
function ownerName(e: OutboxEntry): string {
  const o = e.owner;
  if (!o) return '';
  return o.displayName && o.displayName !== o.username ? `${o.displayName} (${o.username})` : o.username;
}

/** Throws a report of the outbox away, once the reporter said yes to `question`. */
function DiscardButton(props: { id: string; question: string }) {
  return (
    <button
      type="button"
      class="btn-ghost danger"
      data-testid="outbox-discard"
      onClick={() => {
        if (confirm(props.question)) void discard(props.id);
      }}
    >
      {t('field.outbox.discard')}
    </button>
  );
}

/** A report of this account (or of none) in the outbox: why it waits, and what can be done. */
export function OutboxItem({ e }: { e: OutboxEntry }) {
  const f = fmt.value;
  return (
    <li class="item" data-testid="outbox-item" data-state={e.state}>
      <ItemIcon category={e.draft.category} />
      <div class="item-main">
        <div class="item-title">{t(`cat.${e.draft.category}`)}</div>
        <div class="item-sub">
          {f.dateTime(e.createdAt)}
          {e.state === 'pending' && authProblem.value && <> · {t('field.outbox.waitLogin')}</>}
          {e.state === 'pending' &&
            !authProblem.value &&
            e.nextAttemptAt > Date.now() &&
            sender.sending !== e.id && <> · {t('field.outbox.retryAt', { time: f.time(e.nextAttemptAt) })}</>}
        </div>
        {e.state === 'rejected' && (
          <div class="err small">
            <div>
              {t('field.outbox.rejected')}
              {e.error && <div class="err-detail">{e.error.message}</div>}
            </div>
          </div>
        )}
        <div class="item-actions">
          {e.state === 'pending' ? (
            // while the outbox waits for a login, the banner's button is the way on
            !authProblem.value && (
              <button type="button" class="btn-ghost" onClick={() => void sender.kick(true)}>
                {t('field.outbox.sendNow')}
              </button>
            )
          ) : (
            <button type="button" class="btn-ghost" data-testid="outbox-edit" onClick={() => openForEdit(e)}>
              {t('field.outbox.edit')}
            </button>
          )}
          <DiscardButton id={e.id} question={t('field.outbox.discardConfirm')} />
        </div>
      </div>
      <Chip phase={e.state === 'pending' ? 'waiting' : 'rejected'} />
    </li>
  );
}

/**
 * Another account's report, written on this phone before it changed hands: it goes only when
 * that account signs in here again; this account may only throw it away.
 */
export function OtherAccountItem({ e }: { e: OutboxEntry }) {
  const name = ownerName(e);
  return (
    <li class="item item-other" data-testid="outbox-item" data-state={e.state} data-owner={e.owner?.username}>
      <ItemIcon category={e.draft.category} />
      <div class="item-main">
        <div class="item-title">{t(`cat.${e.draft.category}`)}</div>
        <div class="item-sub">
          {fmt.value.dateTime(e.createdAt)}
          {e.state === 'rejected' && <> · {t('field.status.rejected')}</>}
        </div>
        <div class="item-owner" data-testid="outbox-owner">
          <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
            <circle cx="10" cy="6.5" r="3.5" fill="currentColor" />
            <path d="M3 18c0-4 3-6.5 7-6.5s7 2.5 7 6.5z" fill="currentColor" />
          </svg>
          <span>{t('field.outbox.waitAccount', { name })}</span>
        </div>
        <div class="item-actions">
          <DiscardButton id={e.id} question={t('field.outbox.discardOtherConfirm', { name })} />
        </div>
      </div>
    </li>
  );
}
