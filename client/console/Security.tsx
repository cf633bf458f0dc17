// The console's security tile and panel (issue 15): open high-severity events and systems down at a
// glance; events by severity, the top attacking addresses, the affected systems, the public systems'
// probes and the recent high events in the side panel. Every view is audited by the server.
import { useEffect, useState } from 'preact/hooks';
import { SEVERITY_BANDS, type SecurityEventView, type SecuritySystemView } from '#contract/securityVocab.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import { api } from './api.ts';
import { ctx } from './ctx.ts';
import { maySeeSecurity, SECURITY_POLL_MS, security } from './securityStore.ts';
import { clock, selection } from './store.ts';

const DAY = 86_400_000;

/** Opens the security panel, or closes it when it is open. */
export function toggleSecurity(): void {
  const sel = selection.value;
  selection.value = sel?.kind === 'security' ? null : { kind: 'security', id: 'soc' };
}

/** The tile under the province row: open high events (large), systems down, the newest event's age. */
export function SecurityTile() {
  clock.value;
  lang.value;
  if (!maySeeSecurity()) return null;
  const st = security.value;
  const s = st.data;
  const f = fmt.value;
  const now = ctx().live.serverNow();
  const open = selection.value?.kind === 'security';
  const level = !s ? 'none' : s.openHigh > 0 || s.systemsDown > 0 ? 'critical' : 'ok';
  return (
    <section class="prov sec-row" data-testid="security-row">
      <div class="prov-head">
        <span class="panel-title">{t('sec.title')}</span>
        {st.failure && st.data && (
          <span class="prov-note">{t('prov.notUpdating', { time: f.time(st.fetchedAt) })}</span>
        )}
      </div>
      {!s ? (
        <div class="prov-empty muted">{st.failure ? t('sec.loadError') : t('panel.loading')}</div>
      ) : (
        <button
          type="button"
          class={`ptile sec-tile lvl-${level}${open ? ' open' : ''}`}
          data-testid="security-tile"
          data-level={level}
          aria-pressed={open}
          title={t('sec.open')}
          onClick={toggleSecurity}
        >
          <span class="sec-figures">
            <span class="sec-figure">
              <span class="ptile-value" data-testid="security-open-high">
                {f.num(s.openHigh)}
              </span>
              <span class="ptile-what">{t('sec.openHigh')}</span>
            </span>
            <span class="sec-figure">
              <span
                class={`ptile-value${s.systemsDown > 0 ? ' bad-text' : ''}`}
                data-testid="security-systems-down"
              >
                {f.num(s.systemsDown)}
              </span>
              <span class="ptile-what">
                {s.systems === 0
                  ? t('sec.noSystems')
                  : s.systemsDown > 0
                    ? t('sec.down', { n: f.num(s.systemsDown), total: f.num(s.systems) })
                    : t('sec.allUp', { total: f.num(s.systems) })}
              </span>
            </span>
          </span>
          <span class="ptile-age">
            {s.latest === null ? t('sec.noEvents') : t('sec.latest', { when: f.ago(now - s.latest) })}
          </span>
        </button>
      )}
    </section>
  );
}

const bandClass = (b: string) => `band band-${b}`;

/** The side panel: the summary's breakdowns, the systems and the recent high events (read when opened, then every 30 s). */
export function SecurityPanel() {
  clock.value;
  lang.value;
  const s = security.value.data;
  const f = fmt.value;
  const now = ctx().live.serverNow();
  const [systems, setSystems] = useState<SecuritySystemView[] | null>(null);
  const [events, setEvents] = useState<SecurityEventView[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    const load = () =>
      Promise.all([
        api.securitySystems(ac.signal),
        api.securityEvents({ since: Date.now() - DAY, minLevel: s?.highLevel ?? 12, limit: 20 }, ac.signal),
      ]).then(
        ([a, b]) => {
          setSystems(a.items);
          setEvents(b.items);
          setFailed(false);
        },
        () => !ac.signal.aborted && setFailed(true),
      );
    void load();
    const timer = setInterval(load, SECURITY_POLL_MS);
    return () => {
      clearInterval(timer);
      ac.abort();
    };
  }, [s?.highLevel]);
  const max = s ? Math.max(1, ...SEVERITY_BANDS.map((b) => s.byBand[b])) : 1;
  const name = (x: { nameVi: string; nameEn: string }) => (lang.value === 'en' ? x.nameEn : x.nameVi);
  return (
    <div class="side-body service-body" data-testid="security-panel">
      <h2 class="side-title">{t('sec.panel')}</h2>
      <div class="muted sec-audited">{t('sec.audited')}</div>
      {failed && <div class="prov-msg">{t('sec.loadError')}</div>}
      {s && (
        <div class="side-section">
          <div class="section-title">{t('sec.byBand')}</div>
          <div class="sec-bands" data-testid="security-bands">
            {[...SEVERITY_BANDS].reverse().map((b) => (
              <div class="sec-band" key={b} data-band={b}>
                <span class={bandClass(b)}>{t(`band.${b}`)}</span>
                <span class="sec-bar">
                  <span
                    class={`sec-bar-fill band-bg-${b}`}
                    style={{ width: `${(s.byBand[b] / max) * 100}%` }}
                  />
                </span>
                <span class="num">{f.num(s.byBand[b])}</span>
              </div>
            ))}
          </div>
        </div>
      )}
      <div class="side-section">
        <div class="section-title">{t('sec.systems')}</div>
        {systems && systems.length === 0 && <div class="muted">{t('sec.noSystems')}</div>}
        {systems && systems.length > 0 && (
          <table class="rank" data-testid="security-systems">
            <thead>
              <tr>
                <th>{t('sec.col.system')}</th>
                <th>{t('sec.col.status')}</th>
                <th class="num">{t('sec.col.response')}</th>
                <th class="num">{t('sec.col.cert')}</th>
              </tr>
            </thead>
            <tbody>
              {systems
                .filter((x) => !x.disabled)
                .map((x) => {
                  const p = x.probe;
                  const down = p !== null && !p.up;
                  const days = p?.certExpiresAt ? Math.floor((p.certExpiresAt - now) / DAY) : null;
                  return (
                    <tr
                      key={x.id}
                      data-testid="security-system"
                      data-id={x.id}
                      class={down ? 'lvl-critical' : ''}
                    >
                      <td class="rank-name">{name(x)}</td>
                      <td>
                        {!p ? (
                          <span class="muted">{t('sec.notProbed')}</span>
                        ) : p.up ? (
                          <span class="good-text">● {t('sec.up')}</span>
                        ) : (
                          <span class="bad-text">
                            ▲ {t('sec.downSince', { when: f.ago(now - (x.downSince ?? p.time)) })}
                            {p.error && ` · ${t(`probeError.${p.error}`)}`}
                          </span>
                        )}
                      </td>
                      <td class="num">
                        {p?.responseMs != null ? t('sec.ms', { n: f.num(p.responseMs) }) : '—'}
                      </td>
                      <td class={`num${days !== null && days <= 14 ? ' bad-text' : ''}`}>
                        {days === null ? t('sec.noCert') : t('sec.days', { n: f.num(days) })}
                      </td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        )}
      </div>
      {s && (
        <div class="side-section sec-two">
          <div>
            <div class="section-title">{t('sec.topSources')}</div>
            {s.topSources.length === 0 ? (
              <div class="muted">{t('sec.none')}</div>
            ) : (
              <table class="rank" data-testid="security-sources">
                <thead>
                  <tr>
                    <th>{t('sec.col.ip')}</th>
                    <th class="num">{t('sec.col.events')}</th>
                    <th class="num">{t('sec.col.maxLevel')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.topSources.slice(0, 6).map((x) => (
                    <tr key={x.ip}>
                      <td class="rank-name mono">{x.ip}</td>
                      <td class="num">{f.num(x.events)}</td>
                      <td class="num">{x.maxLevel}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div>
            <div class="section-title">{t('sec.affected')}</div>
            {s.affected.length === 0 ? (
              <div class="muted">{t('sec.none')}</div>
            ) : (
              <table class="rank" data-testid="security-affected">
                <thead>
                  <tr>
                    <th>{t('sec.col.system')}</th>
                    <th class="num">{t('sec.col.events')}</th>
                    <th class="num">{t('sec.col.maxLevel')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.affected.slice(0, 6).map((x) => {
                    const sys = systems?.find((y) => y.id === x.systemId);
                    return (
                      <tr key={x.agent}>
                        <td class="rank-name">{sys ? name(sys) : x.agent}</td>
                        <td class="num">{f.num(x.events)}</td>
                        <td class="num">{x.maxLevel}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
      <div class="side-section">
        <div class="section-title">{t('sec.recent')}</div>
        {events && events.length === 0 && <div class="muted">{t('sec.none')}</div>}
        {events && events.length > 0 && (
          <ul class="sec-events" data-testid="security-events">
            {events.slice(0, 8).map((e) => (
              <li key={e.id} data-testid="security-event">
                <span class={bandClass(e.band)}>
                  {t(`band.${e.band}`)} {e.level}
                </span>
                <span class="sec-event-text">
                  <span class="sec-event-desc">{e.description}</span>
                  <span class="muted">
                    {f.time(e.time)} · {e.agent}
                    {e.srcIp && ` · ${e.srcIp}`}
                    {e.blocked && ` · ${t('sec.blocked')}`}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
