import { useEffect, useRef, useState } from 'preact/hooks';
import type { Role } from '#contract/auth.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { pageOf, pagesFor } from './authPaths.ts';
import { goToLogin, loadSession, logout, session } from './session.ts';
import './userMenu.css';

/** The message naming each page of the product, for the menu's links. */
export const PAGE_LABELS: Record<string, MessageKey> = {
  '/': 'page.console',
  '/report': 'page.report',
  '/dashboard': 'page.dashboard',
  '/admin': 'page.admin',
};

export function roleLabel(role: Role): string {
  return t(`role.${role}` as MessageKey);
}

/** One letter for the avatar: Vietnamese names end with the given name ("Nguyễn Văn An" → "A"). */
function initial(name: string): string {
  const words = name.trim().split(/\s+/);
  return (words[words.length - 1] || '?').charAt(0).toLocaleUpperCase('vi');
}

/**
 * The signed-in user in a page's header: name and role, and a menu with the other pages the
 * role may open and a logout button. `tone` matches the header it sits in; `confirmLogout`
 * may ask the user first (false: stay logged in), `onLoggedOut` runs once the server ended it.
 */
export function UserMenu(props: {
  tone: 'dark' | 'light' | 'brand';
  confirmLogout?: () => boolean;
  onLoggedOut?: () => void;
}) {
  lang.value;
  const s = session.value;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    void loadSession();
  }, []);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      // the console's Escape closes its panels too: this one goes first
      e.stopPropagation();
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);

  if (s === undefined) return null;
  if (s === null)
    return (
      <div class={`um um-${props.tone}`} data-testid="user-menu">
        <button type="button" class="um-toggle um-login" onClick={() => goToLogin(false)}>
          {t('user.login')}
        </button>
      </div>
    );

  const here = pageOf(location.pathname);
  const others = pagesFor(s.user.role).filter((p) => p !== here);
  const doLogout = async () => {
    if (props.confirmLogout && !props.confirmLogout()) return;
    setBusy(true);
    setFailed(false);
    const ok = await logout();
    if (ok) props.onLoggedOut?.();
    else {
      setBusy(false);
      setFailed(true);
    }
  };
  return (
    <div class={`um um-${props.tone}${open ? ' open' : ''}`} ref={root} data-testid="user-menu">
      <button
        type="button"
        class="um-toggle"
        ref={toggle}
        aria-expanded={open}
        aria-controls="user-menu-panel"
        data-testid="user-menu-toggle"
        onClick={() => setOpen(!open)}
      >
        <span class="um-avatar" aria-hidden="true">
          {initial(s.user.displayName || s.user.username)}
        </span>
        {/* the name read aloud starts with what the button shows (WCAG 2.5.3, label in name) */}
        <span class="um-sr">{t('user.menu')}</span>
        <span class="um-who">
          <span class="um-name" data-testid="user-name">
            {s.user.displayName}
          </span>
          <span class="um-role" data-testid="user-role" data-role={s.user.role}>
            {roleLabel(s.user.role)}
          </span>
        </span>
        <svg class="um-caret" viewBox="0 0 10 6" width="10" height="6" aria-hidden="true">
          <path d="M1 1l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.6" />
        </svg>
      </button>
      {open && (
        <div class="um-panel" id="user-menu-panel">
          <div class="um-head">
            <div class="um-head-name">{s.user.displayName}</div>
            <div class="um-head-sub">
              {s.user.username} · {roleLabel(s.user.role)}
            </div>
            <div class="um-head-sub">{t('user.sessionEnds', { time: fmt.value.dateTime(s.expiresAt) })}</div>
          </div>
          {others.length > 0 && (
            <nav class="um-pages" aria-label={t('user.pages')}>
              <div class="um-label">{t('user.pages')}</div>
              {others.map((p) => (
                <a key={p} href={p} class="um-link" data-testid={`nav-${p === '/' ? 'console' : p.slice(1)}`}>
                  {t(PAGE_LABELS[p] ?? 'page.console')}
                </a>
              ))}
            </nav>
          )}
          {failed && (
            <div class="um-error" role="alert">
              {t('user.logoutFailed')}
            </div>
          )}
          <button
            type="button"
            class="um-logout"
            data-testid="logout"
            disabled={busy}
            onClick={() => void doLogout()}
          >
            {busy ? t('user.loggingOut') : t('user.logout')}
          </button>
        </div>
      )}
    </div>
  );
}
