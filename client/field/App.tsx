import { useEffect, useRef, useState } from 'preact/hooks';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '#contract/vocab.ts';
import { fmt, lang, t, toggleLang } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { CATEGORY_COLORS, toCss } from '../map/layers/style.ts';
import { loginUrl } from '../shared/authPaths.ts';
import { CategoryIcon } from '../shared/CategoryIcon.tsx';
import { logout } from '../shared/session.ts';
import { UserMenu } from '../shared/UserMenu.tsx';
import { authBanner, type FieldError, type FormField } from './fieldErrors.ts';
import {
  authProblem,
  category,
  current,
  description,
  discard,
  editing,
  errors,
  forgetAccount,
  gps,
  isMine,
  MAX_DESCRIPTION,
  myReports,
  myWaiting,
  online,
  openForEdit,
  outbox,
  photoBusy,
  photos,
  position,
  reporter,
  resetForm,
  screen,
  sender,
  severity,
  statusCheckedAt,
  submit,
} from './fieldStore.ts';
import type { OutboxEntry } from './outbox.ts';
import { MAX_PHOTOS, shrinkPhoto } from './photo.ts';
import type { PinMap } from './pinMap.ts';
import { type ReportPhase, reportStatusLabel } from './reportStatus.ts';

/** GPS accuracy worse than this asks the reporter to check the pin. */
const POOR_ACCURACY_M = 100;

export function App() {
  lang.value;
  const s = screen.value;
  return (
    <div class="field" data-testid="field-app" data-screen={s}>
      <Header />
      <AuthBanner />
      {!online.value && (
        <div class="offline-banner" role="status" data-testid="offline-banner">
          {t('field.offline')}
        </div>
      )}
      <main class="screen">
        {(s === 'form' || s === 'sending') && <FormScreen />}
        {s === 'sent' && <SentScreen />}
        {s === 'queued' && <QueuedScreen />}
        {s === 'mine' && <MineScreen />}
      </main>
    </div>
  );
}

/** The account that wrote a report, as the list names it: "Nguyễn Văn An (an.nguyen)". */
function ownerName(e: OutboxEntry): string {
  const o = e.owner;
  if (!o) return '';
  return o.displayName && o.displayName !== o.username ? `${o.displayName} (${o.username})` : o.username;
}

/** Logging out keeps this account's waiting reports on the phone: say so, and log out only if agreed. */
function confirmLogout(): boolean {
  const n = myWaiting.value;
  return n === 0 || confirm(t(n === 1 ? 'field.logout.keepOne' : 'field.logout.keep', { n }));
}

function Header() {
  const waiting = myWaiting.value;
  const others = outbox.value.filter((e) => !isMine(e)).length;
  const refused = outbox.value.filter((e) => e.state === 'rejected' && isMine(e)).length;
  const tab = screen.value === 'mine' ? 'mine' : 'new';
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
        <h1 class="top-title">{t('field.title')}</h1>
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
      </nav>
    </header>
  );
}

/**
 * The outbox waits for a login: how many reports are kept, and the way to the login page
 * (which brings the reporter back here, where the outbox sends by itself).
 */
function AuthBanner() {
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

function ErrorText({ field, testid }: { field: FormField; testid?: string }) {
  const e: FieldError | undefined = errors.value[field];
  if (!e) return null;
  return (
    <div class="err" role="alert" data-testid={testid ?? `err-${field}`}>
      <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
        <circle cx="10" cy="10" r="9" fill="currentColor" />
        <path d="M10 5v6M10 14v.5" stroke="#fff" stroke-width="2.2" stroke-linecap="round" />
      </svg>
      <div>
        {t(e.key)}
        {e.detail && lang.value === 'en' && <div class="err-detail">{e.detail}</div>}
      </div>
    </div>
  );
}

function Section({
  n,
  title,
  field,
  optional,
  children,
  aside,
}: {
  n: number;
  title: MessageKey;
  field: FormField;
  optional?: boolean;
  children: preact.ComponentChildren;
  aside?: preact.ComponentChildren;
}) {
  return (
    <section class={`card${errors.value[field] ? ' has-error' : ''}`} data-testid={`section-${field}`}>
      <div class="card-head">
        <span class="step">{n}</span>
        <h2>
          {t(title)}
          {optional && <span class="opt"> ({t('field.optional')})</span>}
        </h2>
        {aside && <span class="card-aside">{aside}</span>}
      </div>
      <ErrorText field={field} />
      {children}
    </section>
  );
}

function FormScreen() {
  const sending = screen.value === 'sending';
  return (
    <form
      class="form"
      data-testid="report-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {editing.value && (
        <div class="edit-banner" data-testid="edit-banner">
          <span>{t('field.edit.banner')}</span>
          <button type="button" class="link" onClick={() => resetForm()}>
            {t('field.edit.cancel')}
          </button>
        </div>
      )}
      <ErrorText field="form" testid="err-form" />
      <Section n={1} title="field.step.category" field="category">
        <CategoryGrid />
      </Section>
      <Section n={2} title="field.step.position" field="position">
        <PositionPicker />
      </Section>
      <Section n={3} title="field.step.description" field="description" optional>
        <textarea
          class="textarea"
          rows={4}
          maxLength={MAX_DESCRIPTION}
          placeholder={t('field.desc.placeholder')}
          value={description.value}
          onInput={(e) => (description.value = (e.currentTarget as HTMLTextAreaElement).value)}
          data-testid="description"
          aria-label={t('field.step.description')}
        />
        <div class="count">
          <span class={description.value.length > MAX_DESCRIPTION ? 'over' : ''} data-testid="desc-count">
            {t('field.desc.count', {
              n: fmt.value.num(description.value.length),
              max: fmt.value.num(MAX_DESCRIPTION),
            })}
          </span>
        </div>
      </Section>
      <Section
        n={4}
        title="field.step.photos"
        field="photos"
        optional
        aside={t('field.photos.count', { n: photos.value.length, max: MAX_PHOTOS })}
      >
        <PhotoPicker />
      </Section>
      <Section n={5} title="field.step.severity" field="severity">
        <SeverityPicker />
      </Section>
      <Section n={6} title="field.step.reporter" field="reporter" optional>
        <input
          class="input"
          type="text"
          autoComplete="name"
          maxLength={200}
          placeholder={t('field.reporter.placeholder')}
          value={reporter.value}
          onInput={(e) => (reporter.value = (e.currentTarget as HTMLInputElement).value)}
          data-testid="reporter"
          aria-label={t('field.step.reporter')}
        />
      </Section>
      <div class="send-bar">
        <button
          type="submit"
          class="btn-primary"
          disabled={sending || photoBusy.value > 0}
          data-testid="send"
        >
          {sending ? (
            <>
              <span class="spinner" aria-hidden="true" />
              {t('field.sending')}
            </>
          ) : (
            <>
              <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path
                  d="M3 11l18-8-8 18-2-8z"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="2.2"
                  stroke-linejoin="round"
                />
              </svg>
              {t('field.send')}
            </>
          )}
        </button>
      </div>
    </form>
  );
}

function CategoryGrid() {
  const sel = category.value;
  return (
    <div class="cat-grid">
      {INCIDENT_CATEGORIES.map((c) => (
        <button
          type="button"
          key={c}
          aria-pressed={sel === c}
          class={`cat${sel === c ? ' selected' : ''}`}
          onClick={() => {
            category.value = c;
            if (errors.value.category) errors.value = { ...errors.value, category: undefined };
          }}
          data-testid={`cat-${c}`}
        >
          <span class="cat-badge" style={{ background: toCss(CATEGORY_COLORS[c]) }}>
            <CategoryIcon category={c} size={26} />
          </span>
          <span class="cat-label">{t(`cat.${c}`)}</span>
        </button>
      ))}
    </div>
  );
}

function PositionPicker() {
  const mapEl = useRef<HTMLDivElement>(null);
  const pin = useRef<PinMap | null>(null);
  const [mapState, setMapState] = useState<'loading' | 'ok' | 'error'>('loading');
  const watch = useRef<number | null>(null);

  const startGps = () => {
    if (!('geolocation' in navigator)) {
      gps.value = 'denied';
      return;
    }
    if (watch.current !== null) navigator.geolocation.clearWatch(watch.current);
    gps.value = 'locating';
    watch.current = navigator.geolocation.watchPosition(
      (p) => {
        // the reporter's own pin wins over later GPS fixes
        if (gps.value === 'manual') return;
        const prev = position.value;
        const accuracyM = Math.round(p.coords.accuracy);
        if (prev?.source === 'gps' && prev.accuracyM !== undefined && accuracyM > prev.accuracyM) return;
        position.value = { lon: p.coords.longitude, lat: p.coords.latitude, accuracyM, source: 'gps' };
        gps.value = 'ok';
        if (errors.value.position) errors.value = { ...errors.value, position: undefined };
        pin.current?.setPosition(p.coords.longitude, p.coords.latitude, accuracyM);
      },
      () => {
        if (gps.value === 'locating') gps.value = 'denied';
      },
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 30_000 },
    );
  };

  useEffect(() => {
    let cancelled = false;
    if (gps.value !== 'manual') startGps();
    import('./pinMap.ts')
      .then(({ createPinMap }) =>
        createPinMap(mapEl.current as HTMLDivElement, position.value, (lon, lat) => {
          position.value = { lon, lat, source: 'manual' };
          gps.value = 'manual';
          if (errors.value.position) errors.value = { ...errors.value, position: undefined };
        }),
      )
      .then((m) => {
        if (cancelled) return m.destroy();
        pin.current = m;
        const p = position.value;
        if (p) m.setPosition(p.lon, p.lat, p.source === 'gps' ? p.accuracyM : undefined);
        setMapState('ok');
      })
      .catch(() => !cancelled && setMapState('error'));
    return () => {
      cancelled = true;
      if (watch.current !== null) navigator.geolocation.clearWatch(watch.current);
      pin.current?.destroy();
      pin.current = null;
    };
  }, []);

  const p = position.value;
  const g = gps.value;
  let line: string;
  let tone = 'ok';
  if (g === 'locating') line = t('field.gps.locating');
  else if (g === 'manual') line = t('field.gps.manual');
  else if (g === 'denied') {
    line = t('field.gps.denied');
    tone = 'warn';
  } else if (p?.accuracyM !== undefined && p.accuracyM > POOR_ACCURACY_M) {
    line = t('field.gps.poor', { m: fmt.value.num(p.accuracyM) });
    tone = 'warn';
  } else line = t('field.gps.accuracy', { m: fmt.value.num(p?.accuracyM ?? 0) });
  return (
    <div class="position">
      <div class={`gps gps-${tone}`} data-testid="gps-status" data-state={g}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <circle cx="12" cy="12" r="4" fill="currentColor" />
          <path d="M12 2v3M12 19v3M2 12h3M19 12h3" stroke="currentColor" stroke-width="2" />
          <circle cx="12" cy="12" r="7.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
        <span class="gps-line">{line}</span>
        {(g === 'manual' || g === 'denied') && (
          <button type="button" class="btn-ghost" onClick={startGps}>
            {t('field.gps.retry')}
          </button>
        )}
      </div>
      <div class="mini-map-wrap">
        <div ref={mapEl} class="mini-map" data-testid="mini-map" data-state={mapState} />
        {mapState === 'loading' && <div class="map-note">{t('field.map.loading')}</div>}
        {mapState === 'error' && <div class="map-note">{t('field.map.error')}</div>}
      </div>
      {p && (
        <div class="coords" data-testid="coords">
          {p.lat.toFixed(5)}, {p.lon.toFixed(5)} · {t('field.map.hint')}
        </div>
      )}
    </div>
  );
}

function PhotoPicker() {
  const input = useRef<HTMLInputElement>(null);
  const list = photos.value;
  const full = list.length >= MAX_PHOTOS;
  const onFiles = async (files: FileList | null) => {
    if (!files) return;
    const room = MAX_PHOTOS - photos.value.length;
    const picked = [...files].slice(0, Math.max(0, room));
    for (const [i, f] of picked.entries()) {
      photoBusy.value++;
      try {
        const small = await shrinkPhoto(f, f.name, photos.value.length + i);
        photos.value = [...photos.value, { file: small, url: URL.createObjectURL(small) }];
        if (errors.value.photos) errors.value = { ...errors.value, photos: undefined };
      } catch {
        errors.value = { ...errors.value, photos: { key: 'field.photos.undecodable', detail: f.name } };
      } finally {
        photoBusy.value--;
      }
    }
    if (input.current) input.current.value = '';
  };
  return (
    <div class="photos">
      {list.length > 0 && (
        <ul class="thumbs" data-testid="thumbs">
          {list.map((p, i) => (
            <li key={p.url} class="thumb">
              <img src={p.url} alt="" />
              <button
                type="button"
                class="thumb-remove"
                aria-label={t('field.photos.remove', { n: i + 1 })}
                data-testid={`photo-remove-${i}`}
                onClick={() => {
                  URL.revokeObjectURL(p.url);
                  photos.value = photos.value.filter((x) => x !== p);
                }}
              >
                <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
                  <path
                    d="M5 5l10 10M15 5L5 15"
                    stroke="currentColor"
                    stroke-width="2.6"
                    stroke-linecap="round"
                  />
                </svg>
              </button>
            </li>
          ))}
        </ul>
      )}
      {photoBusy.value > 0 && (
        <div class="muted" data-testid="photo-busy">
          <span class="spinner dark" aria-hidden="true" /> {t('field.photos.processing')}
        </div>
      )}
      <label class={`btn-secondary${full ? ' disabled' : ''}`}>
        <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
          <path
            d="M4 8h3l2-3h6l2 3h3v11H4z"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linejoin="round"
          />
          <circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
        {full ? t('field.photos.full', { max: MAX_PHOTOS }) : t('field.photos.add')}
        <input
          ref={input}
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          disabled={full}
          class="visually-hidden"
          data-testid="photo-input"
          onChange={(e) => void onFiles((e.currentTarget as HTMLInputElement).files)}
        />
      </label>
    </div>
  );
}

function SeverityPicker() {
  return (
    <div class="sev">
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          type="button"
          key={n}
          aria-pressed={severity.value === n}
          class={`sev-btn sev-${n}${severity.value === n ? ' selected' : ''}`}
          onClick={() => (severity.value = n)}
          data-testid={`sev-${n}`}
        >
          <span class="sev-n">{n}</span>
          <span class="sev-label">{t(`field.sev.${n}` as MessageKey)}</span>
        </button>
      ))}
    </div>
  );
}

function SentScreen() {
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

function QueuedScreen() {
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

function Chip({ phase }: { phase: ReportPhase }) {
  const l = reportStatusLabel(phase);
  return (
    <span class={`chip chip-${l.tone}`} data-testid="status-chip" data-phase={phase}>
      {t(l.key)}
    </span>
  );
}

function MineScreen() {
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

/** A report's category as a coloured round icon, in the outbox and "my reports". */
function ItemIcon({ category }: { category: IncidentCategory }) {
  return (
    <span class="item-icon" style={{ background: toCss(CATEGORY_COLORS[category]) }}>
      <CategoryIcon category={category} size={22} />
    </span>
  );
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
function OutboxItem({ e }: { e: OutboxEntry }) {
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
function OtherAccountItem({ e }: { e: OutboxEntry }) {
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
