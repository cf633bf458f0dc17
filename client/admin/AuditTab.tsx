import { useEffect, useState } from 'preact/hooks';
import type { AuditEntryView } from '#contract/auth.ts';
import { CITY_TZ } from '#contract/cityTime.ts';
import { formatDateTime } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { DownloadLink } from '../shared/DownloadLink.tsx';
import { adminApi } from './api.ts';
import {
  AUDIT_LIMITS,
  AUDIT_PERIODS,
  type AuditFilters,
  type AuditOutcomeFilter,
  auditQuery,
  DEFAULT_AUDIT_FILTERS,
  detailsText,
  newestFirst,
} from './auditQuery.ts';
import { ListState, say } from './ui.tsx';

const PERIOD_LABEL: Record<AuditFilters['period'], MessageKey> = {
  '1h': 'period.1h',
  '24h': 'period.24h',
  '7d': 'period.7d',
  '30d': 'admin.audit.p30d',
  custom: 'admin.audit.custom',
};
const OUTCOMES: Array<AuditEntryView['outcome']> = ['ok', 'denied', 'failed'];
/** actions offered in the filter before any was seen in the log */
const KNOWN_ACTIONS = [
  'auth.login',
  'auth.logout',
  'http.denied',
  'user.create',
  'user.update',
  'device.create',
  'alarm_rule.update',
  'asset.out_of_service',
  'asset.return_to_service',
];

export function AuditTab() {
  const l = lang.value;
  const [filters, setFilters] = useState<AuditFilters>(DEFAULT_AUDIT_FILTERS);
  // the text fields apply on "Lọc"; the rest at once
  const [draft, setDraft] = useState({ actor: '', action: '' });
  const [items, setItems] = useState<AuditEntryView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [at, setAt] = useState(Date.now());
  const [utc, setUtc] = useState(false);

  useEffect(() => {
    const ac = { stale: false };
    const now = Date.now();
    setLoading(true);
    setError(null);
    adminApi.audit(auditQuery(filters, now)).then(
      (r) => {
        if (ac.stale) return;
        setItems(newestFirst(r.items));
        setAt(now);
        setLoading(false);
      },
      (err) => {
        if (ac.stale) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      ac.stale = true;
    };
  }, [filters]);

  const set = (patch: Partial<AuditFilters>) => setFilters({ ...filters, ...draft, ...patch });
  const actions = [...new Set([...KNOWN_ACTIONS, ...items.map((i) => i.action)])].sort();
  const tz = utc ? 'UTC' : CITY_TZ;

  return (
    <section class="panel" data-testid="audit-tab">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({});
        }}
      >
        <fieldset class="seg" aria-label={t('admin.audit.period')}>
          <legend class="label">{t('admin.audit.period')}</legend>
          <div class="seg-buttons">
            {AUDIT_PERIODS.map((p) => (
              <button
                type="button"
                key={p}
                class={filters.period === p ? 'on' : ''}
                aria-pressed={filters.period === p}
                data-testid={`audit-period-${p}`}
                onClick={() => set({ period: p })}
              >
                {t(PERIOD_LABEL[p])}
              </button>
            ))}
          </div>
        </fieldset>
        {filters.period === 'custom' && (
          <>
            <label class="fl">
              <span class="label">{t('admin.audit.from')}</span>
              <input
                type="datetime-local"
                class="input"
                value={filters.from}
                onChange={(e) => set({ from: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label class="fl">
              <span class="label">{t('admin.audit.to')}</span>
              <input
                type="datetime-local"
                class="input"
                value={filters.to}
                onChange={(e) => set({ to: (e.target as HTMLInputElement).value })}
              />
            </label>
          </>
        )}
        <label class="fl">
          <span class="label">{t('admin.audit.actor')}</span>
          <input
            class="input actor"
            value={draft.actor}
            placeholder={t('admin.audit.actorHint')}
            autocapitalize="none"
            spellcheck={false}
            data-testid="audit-actor"
            onInput={(e) => setDraft({ ...draft, actor: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="fl">
          <span class="label">{t('admin.audit.action')}</span>
          <input
            class="input mono"
            list="audit-actions"
            value={draft.action}
            autocapitalize="none"
            spellcheck={false}
            data-testid="audit-action"
            onInput={(e) => setDraft({ ...draft, action: (e.target as HTMLInputElement).value })}
          />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label class="fl">
          <span class="label">{t('admin.audit.outcome')}</span>
          <select
            class="select"
            value={filters.outcome}
            data-testid="audit-outcome"
            onChange={(e) => set({ outcome: (e.target as HTMLSelectElement).value as AuditOutcomeFilter })}
          >
            <option value="">{t('admin.audit.all')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`admin.audit.${o}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="fl">
          <span class="label">{t('admin.audit.limit')}</span>
          <select
            class="select"
            value={String(filters.limit)}
            onChange={(e) => set({ limit: Number((e.target as HTMLSelectElement).value) })}
          >
            {AUDIT_LIMITS.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div class="filter-buttons">
          <button type="submit" class="btn primary" data-testid="audit-apply">
            {t('admin.audit.apply')}
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => {
              setDraft({ actor: '', action: '' });
              setFilters({ ...DEFAULT_AUDIT_FILTERS });
            }}
          >
            {t('admin.audit.clear')}
          </button>
        </div>
      </form>
      <div class="toolbar">
        <div class="count" data-testid="audit-count">
          {!loading && !error && items.length > 0 && t('admin.audit.shown', { n: items.length })}
        </div>
        <fieldset class="seg small" aria-label={t('admin.audit.tz')}>
          <div class="seg-buttons">
            <button type="button" class={utc ? '' : 'on'} aria-pressed={!utc} onClick={() => setUtc(false)}>
              {t('admin.audit.tzLocal')}
            </button>
            <button
              type="button"
              class={utc ? 'on' : ''}
              aria-pressed={utc}
              data-testid="audit-utc"
              onClick={() => setUtc(true)}
            >
              {t('admin.audit.tzUtc')}
            </button>
          </div>
        </fieldset>
        <DownloadLink
          class="btn"
          href={adminApi.auditCsvUrl(auditQuery(filters, at, true))}
          filename="ioc-audit.csv"
          testId="audit-csv"
          onError={(text) => say(text, 'bad')}
        >
          ⤓ {t('admin.audit.csv')}
        </DownloadLink>
      </div>
      {items.length >= filters.limit && !loading && (
        <div class="note" data-testid="audit-limit">
          {t('admin.audit.limitHit', { n: filters.limit })}
        </div>
      )}
      <ListState
        loading={loading && items.length === 0}
        error={error}
        empty={items.length === 0}
        emptyText={t('admin.audit.empty')}
        onRetry={() => setFilters({ ...filters })}
      />
      {items.length > 0 && (
        <div class={`table-wrap${loading ? ' stale' : ''}`}>
          <table class="tbl tbl-audit" data-testid="audit-table">
            <thead>
              <tr>
                <th>
                  {t('admin.col.time')} <span class="tz">({utc ? 'UTC' : 'UTC+7'})</span>
                </th>
                <th>{t('admin.col.actor')}</th>
                <th>{t('admin.col.action')}</th>
                <th>{t('admin.col.target')}</th>
                <th>{t('admin.col.outcome')}</th>
                <th>{t('admin.col.ip')}</th>
                <th>{t('admin.col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-outcome={e.outcome}>
                  <td
                    class="nowrap"
                    title={formatDateTime(l, e.ts, utc ? CITY_TZ : 'UTC') + (utc ? ' (UTC+7)' : ' UTC')}
                  >
                    {formatDateTime(l, e.ts, tz)}
                  </td>
                  <td>
                    {e.actor ? (
                      <span class="mono">{e.actor}</span>
                    ) : (
                      // no address: the server itself (start-up, jobs); else a caller not logged in
                      <span class="muted">{t(e.ip ? 'admin.audit.anonymous' : 'admin.audit.system')}</span>
                    )}
                    {e.role && <div class="sub">{roleText(e.role)}</div>}
                  </td>
                  <td class="mono">{e.action}</td>
                  <td class="mono wrap">{e.target ?? ''}</td>
                  <td>
                    <span class={`pill outcome-${e.outcome}`}>{t(`admin.audit.${e.outcome}`)}</span>
                  </td>
                  <td class="mono">{e.ip ?? ''}</td>
                  <td class="details" title={e.details ? JSON.stringify(e.details, null, 1) : undefined}>
                    {detailsText(e.details)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function roleText(role: string): string {
  return ['admin', 'operator', 'field', 'leader', 'device'].includes(role)
    ? t(`role.${role}` as MessageKey)
    : role;
}
