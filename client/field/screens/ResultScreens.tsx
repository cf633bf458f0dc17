import { t } from '../../i18n/i18n.ts';
import { authProblem, current, resetForm, screen } from '../fieldStore.ts';

/** After sending: the report's number (sent), or the word that it waits in the outbox (queued). */
export function SentScreen() {
  const c = current.value;
  const r = c?.receipt;
  return (
    <div class="result" data-testid="sent">
      <div class="result-icon ok">
        <svg viewBox="0 0 48 48" width="56" height="56" aria-hidden="true">
          <path
            d="M12 25l8 8 16-18"
            fill="none"
            stroke="currentColor"
            stroke-width="5"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
      </div>
      <h2 class="result-title">{t('field.sent.title')}</h2>
      <div class="number-label">{t('field.sent.number')}</div>
      <div class="number" data-testid="report-number">
        {r?.number ?? '—'}
      </div>
      {r?.duplicate && <p class="note">{t('field.sent.duplicate')}</p>}
      <p class="note">{t('field.sent.note')}</p>
      {r?.rejectedPhotos && r.rejectedPhotos.length > 0 && (
        <div class="err" data-testid="rejected-photos">
          <div>
            {t('field.sent.rejectedPhotos')}
            <ul>
              {r.rejectedPhotos.map((p) => (
                <li key={p.name}>
                  {p.name}:{' '}
                  {p.code === 'photo_too_large'
                    ? t('field.err.photo_too_large')
                    : p.code === 'unsupported_photo_type'
                      ? t('field.err.unsupported_photo_type')
                      : p.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <ResultButtons />
    </div>
  );
}

export function QueuedScreen() {
  return (
    <div class="result" data-testid="queued">
      <div class="result-icon wait">
        <svg viewBox="0 0 48 48" width="56" height="56" aria-hidden="true">
          <circle cx="24" cy="24" r="16" fill="none" stroke="currentColor" stroke-width="4" />
          <path d="M24 14v11l7 4" fill="none" stroke="currentColor" stroke-width="4" stroke-linecap="round" />
        </svg>
      </div>
      <h2 class="result-title">{t('field.queued.title')}</h2>
      <p class="note">
        {authProblem.value === 'unauthenticated'
          ? t('field.auth.queuedNote')
          : authProblem.value === 'forbidden'
            ? t('field.auth.queuedNoteForbidden')
            : t('field.queued.note')}
      </p>
      <ResultButtons />
    </div>
  );
}

function ResultButtons() {
  return (
    <div class="result-buttons">
      <button
        type="button"
        class="btn-primary"
        data-testid="again"
        onClick={() => {
          resetForm();
          screen.value = 'form';
        }}
      >
        {t('field.again')}
      </button>
      <button
        type="button"
        class="btn-secondary"
        data-testid="to-mine"
        onClick={() => (screen.value = 'mine')}
      >
        {t('field.toMine')}
      </button>
    </div>
  );
}
