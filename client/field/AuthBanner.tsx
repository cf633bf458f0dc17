import { t } from '../i18n/i18n.ts';
import { loginUrl } from '../shared/authPaths.ts';
import { logout } from '../shared/session.ts';
import { authBanner } from './fieldErrors.ts';
import { authProblem, myWaiting, online } from './fieldStore.ts';

/**
 * The outbox waits for a login: how many reports are kept, and the way to the login page
 * (which brings the reporter back here, where the outbox sends by itself).
 */
export function AuthBanner() {
  const reason = authProblem.value;
  if (!reason) return null;
  const waiting = myWaiting.value;
  const b = authBanner(reason, waiting);
  const net = online.value;
  return (
    <div class="auth-banner" role="alert" data-testid="auth-banner" data-reason={reason} data-count={waiting}>
      <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" class="auth-icon">
        <rect x="5" y="10" width="14" height="11" rx="2" fill="none" stroke="currentColor" stroke-width="2" />
        <path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
      <div class="auth-main">
        <div class="auth-text">{t(b.key, { n: b.n })}</div>
        {b.action === 'login' ? (
          <a
            class={`auth-btn${net ? '' : ' disabled'}`}
            href={loginUrl('/report', true)}
            aria-disabled={!net}
            data-testid="auth-login"
            onClick={(e) => {
              if (!net) e.preventDefault();
            }}
          >
            {t('field.auth.login')}
          </a>
        ) : (
          <button
            type="button"
            class="auth-btn"
            disabled={!net}
            data-testid="auth-switch"
            onClick={() => void logout('/report')}
          >
            {t('field.auth.switch')}
          </button>
        )}
        {!net && <div class="auth-offline">{t('field.auth.offline')}</div>}
      </div>
    </div>
  );
}
