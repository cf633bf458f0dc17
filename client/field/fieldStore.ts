import { computed, effect, signal } from '@preact/signals';
import type { MyReportView } from '#contract/incidentsApi.ts';
import type { IncidentCategory } from '#contract/vocab.ts';
import { mayOpen } from '../shared/authPaths.ts';
import { fetchMe, session } from '../shared/session.ts';
import { fetchMine, postReport, type ReportReceipt } from './api.ts';
import type { FieldError, FormField } from './fieldErrors.ts';
import { fieldErrors } from './fieldErrors.ts';
import {
  idbStore,
  type MyReport,
  mayGoAs,
  newReportId,
  type OutboxEntry,
  queuedReport,
  type ReportDraft,
  type ReportOwner,
  reportsOf,
  sentReport,
  withServerView,
} from './outbox.ts';
import { type AuthHalt, Sender } from './sender.ts';

export type Screen = 'form' | 'sending' | 'sent' | 'queued' | 'mine' | 'tasks';

export interface Position {
  lon: number;
  lat: number;
  accuracyM?: number;
  source: 'gps' | 'manual';
}

export type GpsState = 'locating' | 'ok' | 'denied' | 'manual';

export interface PhotoItem {
  file: File;
  url: string;
}

export const MAX_DESCRIPTION = 4000;
/**
 * The reporter field is remembered per account, under this key and the account's id: the server
 * files a report under the name the phone sends, so one account's must not be prefilled for the next.
 */
const REPORTER_KEY = 'ioc.field.reporter';
/** the account last signed in on this page, for reports written while the server cannot say */
const ACCOUNT_KEY = 'ioc.field.account';
/**
 * When the server last told this account's report states, under this key and the account's id: "my
 * reports" says how old it is after a reload with no network too, not only in the session that checked.
 */
const CHECKED_KEY = 'ioc.field.mineChecked';

const outboxStore = idbStore<OutboxEntry>('ioc-field-outbox');
const mineStore = idbStore<MyReport>('ioc-field-mine');

export const screen = signal<Screen>('form');
export const outbox = signal<OutboxEntry[]>([]);
export const mine = signal<MyReport[]>([]);
export const online = signal<boolean>(navigator.onLine);
/** when the server last told the states of "my reports" (0: never on this phone, for this account) */
export const statusCheckedAt = signal<number>(0);
/** the outbox waits for a login: the session ended, or this account may not report */
export const authProblem = signal<AuthHalt | null>(null);

// the form
export const category = signal<IncidentCategory | null>(null);
export const position = signal<Position | null>(null);
export const gps = signal<GpsState>('locating');
export const description = signal('');
export const photos = signal<PhotoItem[]>([]);
export const photoBusy = signal(0);
export const severity = signal(3);
/** starts with the signed-in account's remembered name (the effect after `me`), then what is typed */
export const reporter = signal('');
export const errors = signal<Partial<Record<FormField, FieldError>>>({});
/** a refused report being corrected: sent again under the same id */
export const editing = signal<string | null>(null);
/** the report on the confirmation / queued screen */
export const current = signal<{ id: string; receipt?: ReportReceipt } | null>(null);

/** The last account that signed in here and may report; forgotten when it logs out. */
const lastAccount = signal<ReportOwner | null>(readAccount());

function readAccount(): ReportOwner | null {
  try {
    const v = JSON.parse(localStorage.getItem(ACCOUNT_KEY) ?? 'null') as ReportOwner | null;
    return v && typeof v.id === 'string' && typeof v.username === 'string' ? v : null;
  } catch {
    return null;
  }
}

function keepAccount(a: ReportOwner | null): void {
  lastAccount.value = a;
  try {
    if (a) localStorage.setItem(ACCOUNT_KEY, JSON.stringify(a));
    else localStorage.removeItem(ACCOUNT_KEY);
  } catch {
    // not remembered: known again at the next session check
  }
}

effect(() => {
  const s = session.value;
  if (!s || !mayOpen('/report', s.user.role)) return;
  const { id, username, displayName } = s.user;
  const k = lastAccount.peek();
  if (k?.id !== id || k.username !== username || k.displayName !== displayName)
    keepAccount({ id, username, displayName });
});

/**
 * Whose reports this page writes and sends: the signed-in account when it may report; while
 * the session has ended or cannot be checked (offline), the last one that signed in here.
 */
export const me = computed<ReportOwner | undefined>(() => {
  const s = session.value;
  if (!s) return lastAccount.value ?? undefined;
  if (!mayOpen('/report', s.user.role)) return undefined;
  return { id: s.user.id, username: s.user.username, displayName: s.user.displayName };
});

/** Whether an outbox entry is the current account's (or of no account): it may send, edit it. */
export function isMine(e: OutboxEntry): boolean {
  return mayGoAs(e, me.value?.id);
}

/** Reports of this account waiting to go (not those refused, nor another account's). */
export const myWaiting = computed(
  () => outbox.value.filter((e) => e.state === 'pending' && isMine(e)).length,
);

/** The account's id: a new session of the same account leaves the form alone. */
const meId = computed(() => me.value?.id);

// the reporter field starts with what this account last sent, never with another account's
effect(() => {
  reporter.value = readKept(REPORTER_KEY, meId.value) ?? '';
});

// how old this account's "my reports" is, as kept on the phone
effect(() => {
  statusCheckedAt.value = Number(readKept(CHECKED_KEY, meId.value)) || 0;
});

/** The server just told this account's report states. */
function checkedNow(): void {
  const at = Date.now();
  statusCheckedAt.value = at;
  keepFor(CHECKED_KEY, meId.peek(), String(at));
}

/** "My reports" of this account (and those sent before owners were kept), newest first. */
export const myReports = computed(() => reportsOf(mine.value, me.value?.id));

/** The account logged out: a report written now belongs to whoever signs in next. */
export function forgetAccount(): void {
  keepAccount(null);
}

/** What the phone keeps for an account under `key` (null: nothing, no account known, or no storage). */
function readKept(key: string, accountId: string | undefined): string | null {
  if (!accountId) return null;
  try {
    return localStorage.getItem(`${key}.${accountId}`);
  } catch {
    return null;
  }
}

/** Keeps `value` for an account under `key` (empty: forgets it; nothing when no account is known). */
function keepFor(key: string, accountId: string | undefined, value: string): void {
  if (!accountId) return;
  try {
    if (value) localStorage.setItem(`${key}.${accountId}`, value);
    else localStorage.removeItem(`${key}.${accountId}`);
  } catch {
    // not remembered
  }
}

try {
  // the one name kept for the whole phone before: whose it was cannot be told, so it is not offered
  localStorage.removeItem(REPORTER_KEY);
} catch {
  // nothing to forget
}

export const sender = new Sender({
  store: outboxStore,
  post: postReport,
  async onSent(entry, body) {
    const prev = await mineStore.get(entry.id);
    await mineStore.put(entry.id, sentReport(entry, body as ReportReceipt | undefined, prev, Date.now()));
  },
  now: () => Date.now(),
  rand: Math.random,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  authCheck,
  account,
});

/** Who is signed in, asked of the server before a round; unreachable: the page's last word. */
export async function account(): Promise<string | null | undefined> {
  try {
    const who = await fetchMe();
    session.value = who;
    return who?.user.id ?? null;
  } catch {
    // the report would fail to go the same way; the cookie is the one the page last saw
    return session.value?.user.id;
  }
}

/** Whether this login may send reports now, asked of `/api/auth/me` (no report is uploaded to find out). */
export async function authCheck(): Promise<'ok' | AuthHalt | 'unknown'> {
  try {
    const me = await fetchMe();
    session.value = me;
    if (!me) return 'unauthenticated';
    return mayOpen('/report', me.user.role) ? 'ok' : 'forbidden';
  } catch {
    return 'unknown';
  }
}

/** The login ended (a status poll, the session check at start): the outbox waits, the form stays. */
export function loginEnded(): void {
  sender.halt('unauthenticated');
  authProblem.value = sender.halted;
}

/** Re-reads the outbox and the list of my reports from IndexedDB into the signals. */
export async function refresh(): Promise<void> {
  const [o, m] = await Promise.all([outboxStore.list(), mineStore.list()]);
  outbox.value = o.sort((a, b) => a.createdAt - b.createdAt);
  mine.value = m.sort((a, b) => b.createdAt - a.createdAt);
}

function revokePhotos(): void {
  for (const p of photos.value) URL.revokeObjectURL(p.url);
}

/** Empties the form for the next report; the position and reporter stay (same place, same person). */
export function resetForm(): void {
  revokePhotos();
  category.value = null;
  description.value = '';
  photos.value = [];
  severity.value = 3;
  errors.value = {};
  editing.value = null;
}

/** What the form misses before it can be sent, as errors next to those fields. */
export function missing(): Partial<Record<FormField, FieldError>> {
  const out: Partial<Record<FormField, FieldError>> = {};
  if (!category.value) out.category = { key: 'field.need.category' };
  if (!position.value) out.position = { key: 'field.need.position' };
  return out;
}

/**
 * Puts the report in the outbox (IndexedDB) first, then tries to send it: whatever the
 * network does next, the report is on the phone. The screen follows the first attempt.
 */
export async function submit(): Promise<void> {
  const need = missing();
  if (Object.keys(need).length > 0) {
    errors.value = need;
    document.querySelector('.has-error')?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    return;
  }
  const pos = position.value as Position;
  const draft: ReportDraft = {
    category: category.value as IncidentCategory,
    lat: pos.lat,
    lon: pos.lon,
    accuracyM: pos.accuracyM,
    description: description.value.trim(),
    severity: severity.value,
    reporter: reporter.value.trim() || undefined,
    photos: photos.value.map((p) => p.file),
  };
  // remembered for this account's next report
  keepFor(REPORTER_KEY, me.value?.id, reporter.value.trim());
  const id = editing.value ?? newReportId();
  // a refused report edited keeps the time it was first sent
  const edited = editing.value ? await outboxStore.get(editing.value) : undefined;
  const entry = queuedReport(id, draft, me.value, Date.now(), edited);
  await outboxStore.put(id, entry);
  current.value = { id };
  errors.value = {};
  screen.value = 'sending';
  await refresh();
  const off = sender.on((e) => {
    if (!e || e.id !== id) return;
    off();
    if (e.outcome === 'sent') {
      current.value = { id, receipt: e.body as ReportReceipt };
      resetForm();
      screen.value = 'sent';
    } else if (e.outcome === 'retry' || e.outcome === 'unauthenticated' || e.outcome === 'forbidden') {
      // kept on the phone either way: it goes when the network, or the login, is back
      resetForm();
      screen.value = 'queued';
    } else {
      void outboxStore.get(id).then((x) => x && openForEdit(x));
    }
    void refresh();
  });
  void sender.kick(true);
}

/** Loads a refused report back into the form, with the server's errors next to the fields. */
export function openForEdit(entry: OutboxEntry): void {
  revokePhotos();
  const d = entry.draft;
  category.value = d.category;
  position.value = { lon: d.lon, lat: d.lat, accuracyM: d.accuracyM, source: 'manual' };
  gps.value = 'manual';
  description.value = d.description;
  severity.value = d.severity;
  reporter.value = d.reporter ?? '';
  photos.value = d.photos.map((file) => ({ file, url: URL.createObjectURL(file) }));
  errors.value = entry.error ? fieldErrors(entry.error) : {};
  editing.value = entry.id;
  screen.value = 'form';
  window.scrollTo({ top: 0 });
}

export async function discard(id: string): Promise<void> {
  await outboxStore.remove(id);
  if (editing.value === id) resetForm();
  await refresh();
}

/**
 * "My reports" from the server (v1.6): this account's reports with their state and the operators'
 * notes, merged into what the phone keeps (its own sent reports, those sent from another phone of the
 * account too), and kept for when the phone is offline. Fails, leaving the last known list, offline.
 */
export async function loadMine(): Promise<void> {
  const owner = me.value;
  if (!owner) return;
  const items = await fetchMine();
  for (const v of items)
    await mineStore.put(v.clientId, withServerView(await mineStore.get(v.clientId), v, owner));
  checkedNow();
  await refresh();
}

/** One report changed, pushed live by the server (an operator's step or note). */
export async function applyPushed(v: MyReportView): Promise<void> {
  await mineStore.put(v.clientId, withServerView(await mineStore.get(v.clientId), v, me.value));
  checkedNow();
  await refresh();
}
