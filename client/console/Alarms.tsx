// The operators' alarms (issue 13): the banner, the list (key A) with its filters, the focused
// alarm's details, actions and history, the sound controls.
import { computed } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { alarmActionsFor } from '#contract/alarmLifecycle.ts';
import {
  ALARM_PRIORITY_CODES,
  ALARM_RULES,
  type AlarmHistoryEntry,
  type AlarmItem,
  type AlarmPriority,
  OPEN_ALARM_STATES,
} from '#contract/alarmVocab.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { ALARM_COLORS, ALARM_SHAPES, toCss } from '../map/layers/style.ts';
import {
  ALARM_SHOWS,
  type AlarmRow,
  type AlarmShow,
  ackTargets,
  alarmRows,
  alarmTime,
  bannerAlarm,
  isChattering,
  isUnacked,
  SHELVE_MINUTES,
} from './alarmList.ts';
import { silenceKeys, soundingPriority } from './alarmSound.ts';
import {
  alarmChecked,
  alarmExpanded,
  alarmFilter,
  alarmFocus,
  alarmForm,
  alarmsOpen,
  audioStatus,
  focusAlarm,
  silenced,
  toggleAlarms,
  toggleIn,
} from './alarmStore.ts';
import { alarmStateText, alarmTitle, type TitleContext } from './alarmText.ts';
import { type AlarmRefusalBody, ApiRequestError, api } from './api.ts';
import { ctx } from './ctx.ts';
import { mayAct } from './IncidentPanel.tsx';
import { indicatorTitleCtx } from './indicatorNames.ts';
import { useKeyOpenedFocus } from './panelFocus.ts';
import { clock, liveTick } from './store.ts';

/** Height of one line of the list: fixed, so only the lines in view are drawn (10,000 alarms). */
export const ROW_H = 62;
/** The bulk acknowledgement takes at most this many ids a request (the API's limit is 10,000). */
const BULK_MAX = 5_000;

const titleCtx = (): TitleContext => {
  const c = ctx();
  return {
    wardName: (id) => c.city.districtById.get(id)?.name,
    now: c.live.serverNow(),
    ...indicatorTitleCtx(),
  };
};
const titleOf = (a: AlarmItem): string => alarmTitle(lang.value, a.title, titleCtx());
const prioLabel = (p: AlarmPriority): string => t(`alarm.prio.${p}` as MessageKey);

/** The banner's alarm, re-read when live data changed. */
export const banner = computed(() => {
  liveTick.value;
  return bannerAlarm(ctx().state.alarms);
});

/** A priority as a shape in its colour with its number: never colour alone. */
export function PriorityIcon({ p, size = 26 }: { p: AlarmPriority; size?: number }) {
  const fill = toCss(ALARM_COLORS[p]);
  const shape = ALARM_SHAPES[p];
  const stroke = { fill, stroke: '#0a0e16', 'stroke-width': 1.5 };
  return (
    <svg
      class={`prio-icon prio-${p}`}
      width={size}
      height={size}
      viewBox="0 0 32 32"
      role="img"
      aria-label={prioLabel(p)}
      data-priority={p}
    >
      {shape === 'triangle' && <path d="M16 2 L31 29 H1 Z" {...stroke} />}
      {shape === 'diamond' && <path d="M16 1 L31 16 L16 31 L1 16 Z" {...stroke} />}
      {shape === 'square' && <rect x="3" y="3" width="26" height="26" rx="3" {...stroke} />}
      {shape === 'circle' && <circle cx="16" cy="16" r="14" {...stroke} />}
      <text
        x="16"
        y={shape === 'triangle' ? 25 : 21.5}
        text-anchor="middle"
        font-size={shape === 'triangle' ? 14 : 16}
        font-weight="800"
        fill="#0a0e16"
      >
        {p}
      </text>
    </svg>
  );
}

/** Applies what the API answered (the alarm as it is now) at once, before the live delta. */
function applyItems(items: AlarmItem[]): void {
  if (items.length) ctx().state.applyAlarms(items);
}

/** A message kept on screen: written again in the reader's language when the language changes. */
type Words = () => string;

/** A failed action in the reader's language: a 409 names the alarm's state now, and the list takes it. */
function refusalText(err: unknown): Words {
  if (err instanceof ApiRequestError) {
    if (err.status === 409) {
      const body = err.body as AlarmRefusalBody | undefined;
      if (body?.item) applyItems([body.item]);
      if (body?.state) {
        const now = {
          state: body.state,
          shelved: body.shelved ? {} : null,
          suppressed: body.suppressed ? {} : null,
        };
        return () => t('alarm.refused', { state: alarmStateText(lang.value, now as never) });
      }
    }
    if (err.status === 404) return () => t('alarm.unknown');
    return () => t('alarm.failed', { msg: err.message });
  }
  return () => t('alarm.failed', { msg: (err as Error).message });
}

/** Acknowledges `ids` (batched), applies the answers; the message to show. */
async function acknowledge(ids: string[], comment: string): Promise<Words> {
  let done = 0;
  let refused = 0;
  for (let i = 0; i < ids.length; i += BULK_MAX) {
    const r = await api.acknowledgeAlarms(ids.slice(i, i + BULK_MAX), comment.trim() || undefined);
    applyItems(r.acknowledged);
    done += r.acknowledged.length;
    refused += r.refused.length;
  }
  return () => {
    const f = fmt.value;
    return refused > 0
      ? t('alarm.ackPartial', { n: f.num(done), m: f.num(refused) })
      : t('alarm.ackDone', { n: f.num(done) });
  };
}

/** The most urgent alarm waiting, across the top of the map; it flashes only while unacknowledged. */
export function AlarmBanner() {
  const b = banner.value;
  clock.value;
  lang.value;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Words | null>(null);
  useEffect(() => setError(null), [b?.item.id, b?.item.state]);
  if (!b) return null;
  const a = b.item;
  const f = fmt.value;
  const now = ctx().live.serverNow();
  const since = alarmTime(a);
  const ack = async () => {
    setBusy(true);
    setError(null);
    try {
      const ids = ackTargets([a.id], ctx().state.alarms, now);
      if (ids.length) await acknowledge(ids, '');
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div
      class={`alarm-banner prio-${a.priority}${b.unacked ? ' flashing' : ''}`}
      data-testid="alarm-banner"
      data-flashing={String(b.unacked)}
      data-id={a.id}
      data-priority={a.priority}
      role="alert"
    >
      <div class="ab-prio">
        <PriorityIcon p={a.priority} size={40} />
        <span>{prioLabel(a.priority)}</span>
      </div>
      <button type="button" class="ab-main" onClick={() => focusAlarm(a.id)} data-testid="alarm-banner-title">
        <span class="ab-title">{titleOf(a)}</span>
        <span class="ab-sub">
          {b.unacked ? alarmStateText(lang.value, a) : t('alarm.banner.acked')} · {f.time(since)} (
          {f.ago(Math.max(0, now - since))})
          {a.childCount > 0 && ` · ${t('alarm.flag.children', { n: f.num(a.childCount) })}`}
          {b.others > 0 && (
            <b class="ab-others" data-testid="alarm-banner-others">
              {' · '}
              {t('alarm.banner.others', { n: f.num(b.others) })}
            </b>
          )}
          {error && <span class="ab-error"> · {error()}</span>}
        </span>
      </button>
      <div class="ab-actions">
        {b.unacked && mayAct() && (
          <button
            type="button"
            class="btn btn-ack"
            disabled={busy}
            onClick={() => void ack()}
            data-testid="alarm-banner-ack"
          >
            {a.childCount > 0 ? t('alarm.ackGroup', { n: f.num(a.childCount + 1) }) : t('alarm.ack')}
          </button>
        )}
        <SilenceButton />
        <button type="button" class="btn" onClick={toggleAlarms} title="A" data-testid="alarm-banner-list">
          {t('alarm.banner.open')} <span class="kbd">A</span>
        </button>
      </div>
    </div>
  );
}

/** Stops the tone without acknowledging; a new alarm sounds again. */
export function SilenceButton() {
  liveTick.value;
  lang.value;
  const all = ctx().state.alarms.values();
  const sounding = soundingPriority(all, silenced.value);
  if (sounding === null) {
    const anyQuiet = soundingPriority(ctx().state.alarms.values()) !== null;
    return anyQuiet ? (
      <span class="ab-silenced" data-testid="alarm-silenced">
        {t('alarm.sound.silenced')}
      </span>
    ) : null;
  }
  return (
    <button
      type="button"
      class="btn btn-silence"
      data-testid="alarm-silence"
      onClick={() => (silenced.value = silenceKeys(ctx().state.alarms.values()))}
    >
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
        <path d="M2 6h3l4-3v10l-4-3H2z" fill="currentColor" />
        <path d="M11 5l4 6M15 5l-4 6" stroke="currentColor" stroke-width="1.6" />
      </svg>
      {t('alarm.sound.silence')}
    </button>
  );
}

/** One click to let the browser play the alarm sound (autoplay blocked until someone clicks). */
export function EnableSound({ onEnable }: { onEnable: () => void }) {
  lang.value;
  if (audioStatus.value !== 'blocked') return null;
  return (
    <button type="button" class="btn btn-sound" data-testid="alarm-enable-sound" onClick={onEnable}>
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
        <path d="M2 6h3l4-3v10l-4-3H2z" fill="currentColor" />
        <path
          d="M11 5.5a3.5 3.5 0 010 5M12.5 3.5a6 6 0 010 9"
          stroke="currentColor"
          fill="none"
          stroke-width="1.4"
        />
      </svg>
      {t('alarm.sound.enable')}
    </button>
  );
}

/** The header's button: the list, and how many wait. */
export function AlarmToggle() {
  liveTick.value;
  lang.value;
  const b = banner.value;
  const n = b?.unacked ? b.others + 1 : 0;
  return (
    <button
      type="button"
      class={`btn${alarmsOpen.value ? ' active' : ''}`}
      data-testid="alarm-toggle"
      onClick={toggleAlarms}
      title="A"
    >
      {t('alarm.toggle')}
      {n > 0 && <span class={`count-pill prio-${b?.item.priority ?? 4}`}>{fmt.value.num(n)}</span>}
    </button>
  );
}

let memo:
  | { version: number; filter: unknown; expanded: unknown; rows: AlarmRow[]; ackable: string[] }
  | undefined;

/** The list's lines and what "acknowledge all shown" would send, rebuilt only when something changed. */
function listNow(): { rows: AlarmRow[]; ackable: string[] } {
  const c = ctx();
  const version = c.state.version.alarms;
  const filter = alarmFilter.value;
  const expanded = alarmExpanded.value;
  if (memo && memo.version === version && memo.filter === filter && memo.expanded === expanded) return memo;
  const rows = alarmRows(c.state.alarms, filter, expanded);
  const ackable = ackTargets(
    rows.map((r) => r.item.id),
    c.state.alarms,
    c.live.serverNow(),
  );
  memo = { version, filter, expanded, rows, ackable };
  return memo;
}

/** The alarm list (key A): filters, the lines, acknowledgement of several, the focused alarm. */
export function AlarmPanel() {
  liveTick.value;
  lang.value;
  const root = useRef<HTMLElement>(null);
  useKeyOpenedFocus('alarms', alarmsOpen.value, root);
  if (!alarmsOpen.value) return null;
  const { rows, ackable } = listNow();
  const f = fmt.value;
  const all = ctx().state.alarms;
  return (
    <section
      class="alarm-panel"
      data-testid="alarm-panel"
      aria-label={t('alarm.list.title')}
      ref={root}
      tabIndex={-1}
    >
      <div class="alarm-head">
        <div class="panel-title">
          {t('alarm.list.title')}{' '}
          <span class="queue-count" data-testid="alarm-count">
            {t('alarm.list.count', { n: f.num(rows.length) })}
          </span>
        </div>
        <button
          type="button"
          class="btn btn-icon"
          onClick={toggleAlarms}
          aria-label={t('panel.close')}
          title="Esc"
        >
          ×
        </button>
      </div>
      <AlarmFilters />
      <BulkBar rows={rows} ackable={ackable} />
      <div class="alarm-split">
        {rows.length === 0 ? (
          <div class="alarm-empty" data-testid="alarm-empty">
            {all.size === 0 ? t('alarm.list.empty') : t('alarm.list.emptyFiltered')}
          </div>
        ) : (
          <AlarmList rows={rows} />
        )}
        <AlarmDetail />
      </div>
    </section>
  );
}

function AlarmFilters() {
  lang.value;
  const fl = alarmFilter.value;
  const set = (patch: Partial<typeof fl>) => (alarmFilter.value = { ...fl, ...patch });
  const wards = ctx().city.districts;
  return (
    <div class="alarm-filters" data-testid="alarm-filters">
      <fieldset class="af-group" aria-label={t('alarm.filter.priority')}>
        {ALARM_PRIORITY_CODES.map((p) => {
          const on = fl.priorities.includes(p);
          return (
            <button
              type="button"
              key={p}
              class={`btn btn-small af-prio${on ? ' active' : ''}`}
              aria-pressed={on}
              data-testid={`alarm-filter-prio-${p}`}
              onClick={() =>
                set({ priorities: on ? fl.priorities.filter((x) => x !== p) : [...fl.priorities, p] })
              }
            >
              <PriorityIcon p={p} size={18} /> {prioLabel(p)}
            </button>
          );
        })}
      </fieldset>
      <label class="af-field">
        <span>{t('alarm.filter.rule')}</span>
        <select
          value={fl.rule ?? ''}
          data-testid="alarm-filter-rule"
          onChange={(e) => set({ rule: (e.currentTarget.value || null) as typeof fl.rule })}
        >
          <option value="">{t('alarm.filter.all')}</option>
          {ALARM_RULES.map((r) => (
            <option key={r} value={r}>
              {t(`alarm.rule.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label class="af-field">
        <span>{t('alarm.filter.ward')}</span>
        <select
          value={fl.ward ?? ''}
          data-testid="alarm-filter-ward"
          onChange={(e) => set({ ward: e.currentTarget.value || null })}
        >
          <option value="">{t('alarm.filter.allWards')}</option>
          {wards.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <label class="af-field">
        <span>{t('alarm.filter.state')}</span>
        <select
          value={fl.state ?? ''}
          data-testid="alarm-filter-state"
          onChange={(e) => set({ state: (e.currentTarget.value || null) as typeof fl.state })}
        >
          <option value="">{t('alarm.filter.allOpen')}</option>
          {OPEN_ALARM_STATES.map((s) => (
            <option key={s} value={s}>
              {t(`alarm.state.${s}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label class="af-field">
        <span>{t('alarm.filter.show')}</span>
        <select
          value={fl.show}
          data-testid="alarm-filter-show"
          onChange={(e) => set({ show: e.currentTarget.value as AlarmShow })}
        >
          {ALARM_SHOWS.map((s) => (
            <option key={s} value={s}>
              {t(`alarm.show.${s}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function BulkBar({ rows, ackable }: { rows: AlarmRow[]; ackable: string[] }) {
  liveTick.value;
  lang.value;
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ text: Words; bad: boolean } | null>(null);
  if (!mayAct()) return <div class="alarm-readonly">{t('alarm.readOnly')}</div>;
  const f = fmt.value;
  const checked = alarmChecked.value;
  const all = ctx().state.alarms;
  const shownIds = rows.map((r) => r.item.id);
  const allChecked = shownIds.length > 0 && shownIds.every((id) => checked.has(id));
  const selectedTargets = checked.size ? ackTargets(checked, all, ctx().live.serverNow()) : [];
  const run = async (ids: string[]) => {
    if (!ids.length) return;
    setBusy(true);
    setMsg(null);
    try {
      setMsg({ text: await acknowledge(ids, comment), bad: false });
      setComment('');
      alarmChecked.value = new Set();
    } catch (err) {
      setMsg({ text: refusalText(err), bad: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="alarm-bulk">
      <label class="ab-check">
        <input
          type="checkbox"
          checked={allChecked}
          data-testid="alarm-check-all"
          onChange={() => (alarmChecked.value = allChecked ? new Set() : new Set(shownIds))}
        />
        {t('alarm.selectAll')}
      </label>
      <input
        class="af-input"
        type="text"
        maxLength={2000}
        placeholder={t('alarm.comment')}
        aria-label={t('alarm.comment')}
        value={comment}
        data-testid="alarm-bulk-comment"
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      <button
        type="button"
        class="btn"
        disabled={busy || selectedTargets.length === 0}
        data-testid="alarm-ack-selected"
        onClick={() => void run(selectedTargets)}
      >
        {t('alarm.ackSelected', { n: f.num(selectedTargets.length) })}
      </button>
      <button
        type="button"
        class="btn"
        disabled={busy || ackable.length === 0}
        data-testid="alarm-ack-visible"
        onClick={() => void run(ackable)}
      >
        {t('alarm.ackVisible', { n: f.num(ackable.length) })}
      </button>
      {msg && (
        <div class={`alarm-msg${msg.bad ? ' bad' : ''}`} role="status" data-testid="alarm-bulk-msg">
          {msg.text()}
        </div>
      )}
    </div>
  );
}

/** Only the lines in view are in the page: the list stays quick with 10,000 alarms. */
function AlarmList({ rows }: { rows: AlarmRow[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(800);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight || 800);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 800));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const focus = alarmFocus.value;
  // a mark clicked on the map: its line scrolled into view
  useEffect(() => {
    const el = ref.current;
    if (!el || !focus) return;
    const i = rows.findIndex((r) => r.item.id === focus);
    if (i < 0) return;
    const y = i * ROW_H;
    if (y < el.scrollTop || y + ROW_H > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, y - el.clientHeight / 3);
      setTop(el.scrollTop);
    }
  }, [focus]);
  const first = Math.max(0, Math.floor(top / ROW_H) - 4);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW_H) + 4);
  const checked = alarmChecked.value;
  clock.value;
  const now = ctx().live.serverNow();
  return (
    <div
      class="alarm-list"
      ref={ref}
      data-testid="alarm-list"
      data-rows={rows.length}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
    >
      <ul class="alarm-list-inner" style={{ height: `${rows.length * ROW_H}px` }}>
        {rows.slice(first, last).map((r, i) => (
          <AlarmLine
            key={r.item.id}
            row={r}
            y={(first + i) * ROW_H}
            checked={checked.has(r.item.id)}
            focused={focus === r.item.id}
            now={now}
          />
        ))}
      </ul>
    </div>
  );
}

function AlarmLine({
  row,
  y,
  checked,
  focused,
  now,
}: {
  row: AlarmRow;
  y: number;
  checked: boolean;
  focused: boolean;
  now: number;
}) {
  const a = row.item;
  const f = fmt.value;
  const since = alarmTime(a);
  const ward = a.wardId ? ctx().city.districtById.get(a.wardId)?.name : undefined;
  return (
    <li
      class={`alarm-row prio-${a.priority}${isUnacked(a) ? ' unacked' : ''}${focused ? ' focused' : ''}${row.depth ? ' child' : ''}`}
      style={{ transform: `translateY(${y}px)`, height: `${ROW_H}px` }}
      data-testid="alarm-row"
      data-id={a.id}
      data-state={a.state}
      data-priority={a.priority}
    >
      <input
        type="checkbox"
        checked={checked}
        aria-label={t('alarm.select')}
        onChange={() => (alarmChecked.value = toggleIn(alarmChecked.value, a.id))}
      />
      {row.children > 0 ? (
        <button
          type="button"
          class="alarm-expand"
          aria-expanded={row.expanded}
          aria-label={row.expanded ? t('alarm.collapse') : t('alarm.expand')}
          data-testid="alarm-expand"
          onClick={() => (alarmExpanded.value = toggleIn(alarmExpanded.value, a.id))}
        >
          {row.expanded ? '▾' : '▸'}
        </button>
      ) : (
        <span class="alarm-expand-space" />
      )}
      <PriorityIcon p={a.priority} />
      <button type="button" class="alarm-main" onClick={() => (alarmFocus.value = a.id)}>
        <span class="alarm-title" data-testid="alarm-title">
          {titleOf(a)}
        </span>
        <span class="alarm-sub">
          <b class="alarm-state">{alarmStateText(lang.value, a)}</b>
          {' · '}
          {f.ago(Math.max(0, now - since))}
          {ward && ` · ${ward}`}
          {a.childCount > 0 && (
            <span class="alarm-chip" data-testid="alarm-children">
              {t('alarm.flag.children', { n: f.num(a.childCount) })}
            </span>
          )}
          {isChattering(a) && (
            <span class="alarm-chip warn" data-testid="alarm-chatter">
              {t('alarm.flag.chattering', { n: f.num(a.chatterCount) })}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}

function Fact({ k, children }: { k: MessageKey; children: preact.ComponentChildren }) {
  return (
    <div class="kv">
      <span class="k">{t(k)}</span>
      <span class="v">{children}</span>
    </div>
  );
}

/** The focused alarm: what it is, what can be done to it now, what happened to it. */
function AlarmDetail() {
  // a component re-renders only for the signals it reads itself: the live data, the clock
  liveTick.value;
  lang.value;
  const id = alarmFocus.value;
  const a = id ? ctx().state.alarms.get(id) : undefined;
  if (!a)
    return (
      <div class="alarm-detail muted" data-testid="alarm-detail-empty">
        {t('alarm.pick')}
      </div>
    );
  const f = fmt.value;
  const ward = a.wardId ? ctx().city.districtById.get(a.wardId)?.name : undefined;
  return (
    <div class="alarm-detail" data-testid="alarm-detail" data-id={a.id} data-state={a.state}>
      <div class="ad-head">
        <PriorityIcon p={a.priority} size={34} />
        <div>
          <div class="ad-prio">{prioLabel(a.priority)}</div>
          <div class="ad-title" data-testid="alarm-detail-title">
            {titleOf(a)}
          </div>
        </div>
      </div>
      <Fact k="alarm.filter.state">
        <b data-testid="alarm-detail-state">{alarmStateText(lang.value, a)}</b>
      </Fact>
      <Fact k="alarm.filter.rule">{t(`alarm.rule.${a.rule}` as MessageKey)}</Fact>
      {ward && <Fact k="alarm.ward">{ward}</Fact>}
      {a.activatedAt !== null && <Fact k="alarm.activatedAt">{f.dateTime(a.activatedAt)}</Fact>}
      {a.clearedAt !== null && a.state !== 'unack_active' && a.state !== 'ack_active' && (
        <Fact k="alarm.clearedAt">{f.dateTime(a.clearedAt)}</Fact>
      )}
      {a.ackedAt !== null && a.ackedBy && (
        <div class="ad-note">{t('alarm.ackedAt', { by: a.ackedBy, time: f.dateTime(a.ackedAt) })}</div>
      )}
      {a.childCount > 0 && <div class="ad-note">{t('alarm.flag.children', { n: f.num(a.childCount) })}</div>}
      {isChattering(a) && (
        <div class="ad-note warn">{t('alarm.flag.chattering', { n: f.num(a.chatterCount) })}</div>
      )}
      {a.latched && <div class="ad-note">{t('alarm.flag.latched')}</div>}
      {a.shelved && (
        <div class="ad-note shelved" data-testid="alarm-detail-shelved">
          {t('alarm.shelvedBy', { by: a.shelved.by, reason: a.shelved.reason })}{' '}
          {a.shelved.until === null
            ? t('alarm.shelvedUntilClear')
            : t('alarm.shelvedUntil', { time: f.dateTime(a.shelved.until) })}
        </div>
      )}
      {a.suppressed && (
        <div class="ad-note suppressed" data-testid="alarm-detail-suppressed">
          {t('alarm.suppressedBy', { by: a.suppressed.by, reason: a.suppressed.reason })}
        </div>
      )}
      {mayAct() ? <AlarmActions a={a} /> : <div class="alarm-readonly">{t('alarm.readOnly')}</div>}
      <AlarmHistory id={a.id} version={a.version} />
    </div>
  );
}

function AlarmActions({ a }: { a: AlarmItem }) {
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number | 'until_clear'>(60);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ text: Words; bad: boolean } | null>(null);
  useEffect(() => {
    setMsg(null);
    setComment('');
    setReason('');
  }, [a.id]);
  const form = alarmForm.value;
  const reasonRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (form === 'shelve') reasonRef.current?.focus();
  }, [form]);
  const now = ctx().live.serverNow();
  const legal = alarmActionsFor(a, now);
  const f = fmt.value;
  const run = async (fn: () => Promise<Words | undefined>) => {
    setBusy(true);
    setMsg(null);
    try {
      const text = await fn();
      if (text) setMsg({ text, bad: false });
      setComment('');
      setReason('');
      alarmForm.value = null;
    } catch (err) {
      setMsg({ text: refusalText(err), bad: true });
    } finally {
      setBusy(false);
    }
  };
  const ack = () =>
    run(async () => {
      if (a.childCount > 0) return acknowledge(ackTargets([a.id], ctx().state.alarms, now), comment);
      const r = await api.alarmAction(a.id, { action: 'acknowledge', comment: comment.trim() || undefined });
      applyItems([r.item]);
      return undefined;
    });
  const shelve = () => {
    if (!reason.trim()) {
      setMsg({ text: () => t('alarm.shelveNeedReason'), bad: true });
      return;
    }
    void run(async () => {
      const r = await api.alarmAction(a.id, {
        action: 'shelve',
        reason: reason.trim(),
        duration: minutes === 'until_clear' ? 'until_clear' : minutes * 60_000,
      });
      applyItems([r.item]);
      return undefined;
    });
  };
  const unshelve = () =>
    run(async () => {
      const r = await api.alarmAction(a.id, { action: 'unshelve', comment: comment.trim() || undefined });
      applyItems([r.item]);
      return undefined;
    });
  return (
    <div class="ad-actions" data-testid="alarm-actions">
      {legal.includes('acknowledge') && (
        <div class="ad-row">
          <input
            class="af-input"
            type="text"
            maxLength={2000}
            placeholder={t('alarm.comment')}
            aria-label={t('alarm.comment')}
            value={comment}
            data-testid="alarm-comment"
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <button
            type="button"
            class="btn btn-ack"
            disabled={busy}
            data-testid="alarm-ack"
            onClick={() => void ack()}
          >
            {a.childCount > 0 ? t('alarm.ackGroup', { n: f.num(a.childCount + 1) }) : t('alarm.ack')}
          </button>
        </div>
      )}
      <div class="ad-row">
        {legal.includes('shelve') && form !== 'shelve' && (
          <button
            type="button"
            class="btn"
            disabled={busy}
            data-testid="alarm-shelve"
            onClick={() => (alarmForm.value = 'shelve')}
          >
            {t('alarm.shelve')}
          </button>
        )}
        {legal.includes('unshelve') && (
          <button
            type="button"
            class="btn"
            disabled={busy}
            data-testid="alarm-unshelve"
            onClick={() => void unshelve()}
          >
            {t('alarm.unshelve')}
          </button>
        )}
      </div>
      {form === 'shelve' && legal.includes('shelve') && (
        <form
          class="ad-form"
          data-testid="alarm-shelve-form"
          onSubmit={(e) => {
            e.preventDefault();
            shelve();
          }}
        >
          <div class="ad-form-title">{t('alarm.shelveTitle')}</div>
          <input
            class="af-input"
            type="text"
            maxLength={500}
            placeholder={t('alarm.shelveReason')}
            aria-label={t('alarm.shelveReason')}
            value={reason}
            data-testid="alarm-shelve-reason"
            onInput={(e) => setReason(e.currentTarget.value)}
            ref={reasonRef}
          />
          <label class="af-field">
            <span>{t('alarm.shelveDuration')}</span>
            <select
              value={String(minutes)}
              data-testid="alarm-shelve-duration"
              onChange={(e) => {
                const v = e.currentTarget.value;
                setMinutes(v === 'until_clear' ? 'until_clear' : Number(v));
              }}
            >
              <option value="until_clear">{t('alarm.shelveUntilClear')}</option>
              {SHELVE_MINUTES.map((m) => (
                <option key={m} value={String(m)}>
                  {t('alarm.shelveFor', {
                    d: m >= 60 ? `${f.num(m / 60)} ${t('unit.h')}` : `${f.num(m)} ${t('unit.min')}`,
                  })}
                </option>
              ))}
            </select>
          </label>
          <div class="ad-row">
            <button type="submit" class="btn btn-ack" disabled={busy} data-testid="alarm-shelve-confirm">
              {t('alarm.shelveConfirm')}
            </button>
            <button type="button" class="btn" onClick={() => (alarmForm.value = null)}>
              {t('alarm.cancel')}
            </button>
          </div>
        </form>
      )}
      {msg && (
        <div class={`alarm-msg${msg.bad ? ' bad' : ''}`} role="alert" data-testid="alarm-msg">
          {msg.text()}
        </div>
      )}
    </div>
  );
}

/** Who did what, when, with their note (GET /api/alarms/{id}/history), read again when the alarm changed. */
function AlarmHistory({ id, version }: { id: string; version: number }) {
  const [items, setItems] = useState<AlarmHistoryEntry[] | null | 'failed'>(null);
  useEffect(() => {
    const ac = new AbortController();
    api
      .alarmHistory(id, ac.signal)
      .then((r) => setItems(r.items))
      .catch(() => {
        if (!ac.signal.aborted) setItems('failed');
      });
    return () => ac.abort();
  }, [id, version]);
  useEffect(() => setItems(null), [id]);
  const f = fmt.value;
  return (
    <div class="ad-history" data-testid="alarm-history">
      <div class="section-title">{t('alarm.history')}</div>
      {items === null ? (
        <div class="muted">{t('alarm.historyLoading')}</div>
      ) : items === 'failed' ? (
        <div class="muted">{t('alarm.historyFailed')}</div>
      ) : items.length === 0 ? (
        <div class="muted">{t('alarm.historyEmpty')}</div>
      ) : (
        <ul class="events">
          {items.map((h) => (
            <li key={h.id} data-testid="alarm-history-row" data-event={h.event}>
              <span class="ev-kind">{t(`alarm.event.${h.event}` as MessageKey)}</span>
              <span class="muted">
                {' '}
                · {h.actor === 'system' ? t('alarm.actor.system') : h.actor} · {f.dateTime(h.time)}
              </span>
              {h.note && <span class="hist-note">“{h.note}”</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
