import { t, toggleLang } from '../i18n/i18n.ts';
import { UserMenu } from '../shared/UserMenu.tsx';
import { forgetAccount, isMine, myReports, myWaiting, outbox, screen } from './fieldStore.ts';
import { newTaskCount } from './taskStore.ts';

/** Logging out keeps this account's waiting reports on the phone: say so, and log out only if agreed. */
function confirmLogout(): boolean {
  const n = myWaiting.value;
  return n === 0 || confirm(t(n === 1 ? 'field.logout.keepOne' : 'field.logout.keep', { n }));
}

export function Header() {
  const waiting = myWaiting.value;
  const others = outbox.value.filter((e) => !isMine(e)).length;
  const refused = outbox.value.filter((e) => e.state === 'rejected' && isMine(e)).length;
  const tab = screen.value === 'mine' ? 'mine' : screen.value === 'tasks' ? 'tasks' : 'new';
  const fresh = newTaskCount.value;
  return (
    <header class="top">
      <div class="top-row">
        <div class="logo">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path
              d="M12 2C7.6 2 4 5.5 4 9.9 4 15.8 12 22 12 22s8-6.2 8-12.1C20 5.5 16.4 2 12 2z"
              fill="#fff"
            />
            <circle cx="12" cy="10" r="3" fill="#0a4fd6" />
          </svg>
        </div>
        <div class="top-name">
          {/* the product's name, as on every page's header */}
          <div class="top-product">{t('app.title')}</div>
          <h1 class="top-title">{t('field.title')}</h1>
        </div>
        <UserMenu tone="brand" confirmLogout={confirmLogout} onLoggedOut={forgetAccount} />
        <button
          type="button"
          class="lang"
          onClick={toggleLang}
          aria-label={t('field.langLabel')}
          data-testid="lang-toggle"
        >
          {t('field.lang')}
        </button>
      </div>
      {(waiting > 0 || refused > 0 || others > 0) && (
        <button
          type="button"
          class={`waiting${refused > 0 ? ' has-refused' : ''}`}
          data-testid="waiting"
          data-count={waiting}
          data-others={others}
          onClick={() => (screen.value = 'mine')}
        >
          <span class="waiting-dot" aria-hidden="true" />
          {(waiting > 0 || (refused === 0 && others === 0)) && t('field.waiting', { n: waiting })}
          {refused > 0 && (
            <span class="waiting-refused">
              {waiting > 0 && ' · '}
              {t('field.status.rejected')}: {refused}
            </span>
          )}
          {others > 0 && (
            <span class="waiting-others">
              {(waiting > 0 || refused > 0) && ' · '}
              {t('field.waitingOthers', { n: others })}
            </span>
          )}
        </button>
      )}
      <nav class="tabs" aria-label={t('field.title')}>
        <button
          type="button"
          class={`tab${tab === 'new' ? ' active' : ''}`}
          aria-current={tab === 'new' ? 'page' : undefined}
          onClick={() => (screen.value = 'form')}
          data-testid="tab-new"
        >
          {t('field.tab.new')}
        </button>
        <button
          type="button"
          class={`tab${tab === 'mine' ? ' active' : ''}`}
          aria-current={tab === 'mine' ? 'page' : undefined}
          onClick={() => (screen.value = 'mine')}
          data-testid="tab-mine"
        >
          {t('field.tab.mine')}
          {myReports.value.length > 0 && <span class="tab-count">{myReports.value.length}</span>}
        </button>
        <button
          type="button"
          class={`tab${tab === 'tasks' ? ' active' : ''}`}
          aria-current={tab === 'tasks' ? 'page' : undefined}
          onClick={() => (screen.value = 'tasks')}
          data-testid="tab-tasks"
        >
          {t('field.tab.tasks')}
          {fresh > 0 && (
            <span
              class="tab-count fresh"
              data-testid="tasks-new"
              title={t('field.tasks.newCount', { n: fresh })}
            >
              {fresh}
            </span>
          )}
        </button>
      </nav>
    </header>
  );
}
