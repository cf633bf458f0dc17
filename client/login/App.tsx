import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { lang, t, toggleLang } from '../i18n/i18n.ts';
import { afterLogin } from '../shared/authPaths.ts';
import { formatWait, type LoginResult, readLoginAnswer } from './loginResult.ts';

const params = new URLSearchParams(location.search);
/** where the server sent the user from (checked against the role before use) */
export const next = params.get('next');
const expired = params.get('expired') === '1';

const username = signal('');
const password = signal('');
const showPassword = signal(false);
const busy = signal(false);
const capsLock = signal(false);
const failure = signal<Exclude<LoginResult, { kind: 'ok' }> | null>(null);
/** until when too many failed attempts keep the form shut (epoch ms) */
const lockedUntil = signal(0);
const now = signal(Date.now());

let ticker: ReturnType<typeof setInterval> | undefined;
function lockFor(seconds: number): void {
  lockedUntil.value = Date.now() + seconds * 1000;
  now.value = Date.now();
  clearInterval(ticker);
  ticker = setInterval(() => {
    now.value = Date.now();
    if (now.value >= lockedUntil.value) clearInterval(ticker);
  }, 1000);
}

/** Opens the page the user came for when the role may open it, else the role's home. */
export function leave(role: Parameters<typeof afterLogin>[1], home: string): void {
  location.replace(afterLogin(next, role, home));
}

async function submit(userEl: HTMLInputElement | null, passEl: HTMLInputElement | null): Promise<void> {
  if (busy.value || lockedUntil.value > Date.now()) return;
  const u = username.value.trim();
  if (!u || !password.value) {
    failure.value = { kind: 'missing' };
    (u ? passEl : userEl)?.focus();
    return;
  }
  busy.value = true;
  failure.value = null;
  let status = 0;
  let body: unknown;
  let retryAfter: string | null = null;
  try {
    const r = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ username: u, password: password.value }),
      credentials: 'same-origin',
    });
    status = r.status;
    retryAfter = r.headers.get('retry-after');
    body = await r.json().catch(() => undefined);
  } catch {
    status = 0;
  }
  const res = readLoginAnswer(status, body, retryAfter);
  if (res.kind === 'ok') {
    password.value = '';
    // stays busy: the next page is loading
    leave(res.session.user.role, res.session.home);
    return;
  }
  busy.value = false;
  failure.value = res;
  if (res.kind === 'tooMany') lockFor(res.retryAfterS);
  if (res.kind === 'badCredentials') {
    password.value = '';
    passEl?.focus();
  }
}

function ErrorBox() {
  const f = failure.value;
  if (!f) return null;
  const l = lang.value;
  if (f.kind === 'tooMany') {
    const left = Math.max(0, (lockedUntil.value - now.value) / 1000);
    if (left <= 0)
      return (
        <div class="lp-note lp-info" role="status" data-testid="login-error" data-kind="tooManyOver">
          {t('login.err.tooManyOver')}
        </div>
      );
    return (
      <div class="lp-note lp-error" role="alert" data-testid="login-error" data-kind="tooMany">
        {/* read once; the ticking copy is for the eyes */}
        <span class="visually-hidden">{t('login.err.tooMany', { time: formatWait(l, f.retryAfterS) })}</span>
        <span aria-hidden="true">{t('login.err.tooMany', { time: formatWait(l, left) })}</span>
      </div>
    );
  }
  const text =
    f.kind === 'badCredentials'
      ? t('login.err.badCredentials')
      : f.kind === 'missing'
        ? t('login.err.missing')
        : f.kind === 'server'
          ? t('login.err.server', { status: f.status })
          : t('login.err.unreachable');
  return (
    <div class="lp-note lp-error" role="alert" data-testid="login-error" data-kind={f.kind}>
      {text}
    </div>
  );
}

export function App() {
  lang.value;
  const userRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);
  const locked = lockedUntil.value > now.value;
  useEffect(() => {
    // a browser that filled the username in: straight to the password
    if (userRef.current?.value) passRef.current?.focus();
    else userRef.current?.focus();
  }, []);
  const onKey = (e: KeyboardEvent) => {
    if (typeof e.getModifierState === 'function') capsLock.value = e.getModifierState('CapsLock');
  };
  return (
    <div class="lp" data-testid="login-page">
      <div class="lp-brand">
        <div class="lp-brand-inner">
          <div class="lp-emblem" aria-hidden="true">
            IOC
          </div>
          <h1 class="lp-product">{t('login.product')}</h1>
          <div class="lp-city">{t('app.city')}</div>
          <ul class="lp-pages" aria-hidden="true">
            <li>{t('page.console')}</li>
            <li>{t('page.report')}</li>
            <li>{t('page.dashboard')}</li>
          </ul>
        </div>
      </div>
      <main class="lp-main">
        <div class="lp-lang">
          <button type="button" class="lp-lang-btn" onClick={toggleLang} data-testid="lang-toggle">
            {t('lang.toggle')}
          </button>
        </div>
        <div class="lp-card">
          <h2 class="lp-title">{t('login.title')}</h2>
          <p class="lp-sub">{t('login.subtitle')}</p>
          {expired && !failure.value && (
            <div class="lp-note lp-info" role="status" data-testid="login-expired">
              {t('login.expired')}
            </div>
          )}
          <ErrorBox />
          <form
            class="lp-form"
            method="post"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void submit(userRef.current, passRef.current);
            }}
          >
            <label class="lp-label" for="login-username">
              {t('login.username')}
            </label>
            <input
              id="login-username"
              ref={userRef}
              class="lp-input"
              name="username"
              type="text"
              autocomplete="username"
              autocapitalize="none"
              autocorrect="off"
              spellcheck={false}
              enterKeyHint="next"
              required
              maxLength={128}
              value={username.value}
              aria-invalid={failure.value?.kind === 'missing' && !username.value.trim()}
              onInput={(e) => (username.value = (e.target as HTMLInputElement).value)}
              onKeyDown={onKey}
            />
            <label class="lp-label" for="login-password">
              {t('login.password')}
            </label>
            <div class="lp-pw">
              <input
                id="login-password"
                ref={passRef}
                class="lp-input"
                name="password"
                type={showPassword.value ? 'text' : 'password'}
                autocomplete="current-password"
                autocapitalize="none"
                autocorrect="off"
                spellcheck={false}
                enterKeyHint="go"
                required
                maxLength={1024}
                value={password.value}
                aria-invalid={
                  failure.value?.kind === 'badCredentials' ||
                  (failure.value?.kind === 'missing' && !!username.value.trim())
                }
                aria-describedby={capsLock.value ? 'login-caps' : undefined}
                onInput={(e) => (password.value = (e.target as HTMLInputElement).value)}
                onKeyDown={onKey}
                onKeyUp={onKey}
              />
              <button
                type="button"
                class="lp-eye"
                aria-controls="login-password"
                aria-pressed={showPassword.value}
                aria-label={showPassword.value ? t('login.hidePassword') : t('login.showPassword')}
                data-testid="toggle-password"
                onClick={() => {
                  showPassword.value = !showPassword.value;
                  passRef.current?.focus();
                }}
              >
                <EyeIcon off={showPassword.value} />
                <span>{showPassword.value ? t('login.hide') : t('login.show')}</span>
              </button>
            </div>
            {capsLock.value && (
              <div class="lp-caps" id="login-caps">
                {t('login.capsLock')}
              </div>
            )}
            <button type="submit" class="lp-submit" disabled={busy.value || locked} aria-busy={busy.value}>
              {busy.value ? t('login.submitting') : t('login.submit')}
            </button>
          </form>
          <p class="lp-forgot">{t('login.forgot')}</p>
        </div>
        <p class="lp-notice">{t('login.notice')}</p>
      </main>
    </div>
  );
}

function EyeIcon({ off }: { off: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path
        d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
      />
      <circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="2" />
      {off && <path d="M4 20L20 4" stroke="currentColor" stroke-width="2" />}
    </svg>
  );
}
