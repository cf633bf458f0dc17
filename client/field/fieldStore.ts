import { signal } from '@preact/signals';
import type { IncidentCategory } from '../../server/contracts/vocab.ts';
import { mayOpen } from '../shared/authPaths.ts';
import { fetchMe, session } from '../shared/session.ts';
import { fetchStatuses, postReport, type ReportReceipt } from './api.ts';
import type { FieldError, FormField } from './fieldErrors.ts';
import { fieldErrors } from './fieldErrors.ts';
import { idbStore, type MyReport, newReportId, type OutboxEntry, type ReportDraft } from './outbox.ts';
import { needsPolling } from './reportStatus.ts';
import { type AuthHalt, Sender } from './sender.ts';

export type Screen = 'form' | 'sending' | 'sent' | 'queued' | 'mine';

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
const REPORTER_KEY = 'ioc.field.reporter';
/** status of sent reports is refreshed this often while the list is on screen */
export const STATUS_POLL_MS = 30_000;

const outboxStore = idbStore<OutboxEntry>('ioc-field-outbox');
const mineStore = idbStore<MyReport>('ioc-field-mine');

export const screen = signal<Screen>('form');
export const outbox = signal<OutboxEntry[]>([]);
export const mine = signal<MyReport[]>([]);
export const online = signal<boolean>(navigator.onLine);
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
export const reporter = signal(readReporter());
export const errors = signal<Partial<Record<FormField, FieldError>>>({});
/** a refused report being corrected: sent again under the same id */
export const editing = signal<string | null>(null);
/** the report on the confirmation / queued screen */
export const current = signal<{ id: string; receipt?: ReportReceipt } | null>(null);

function readReporter(): string {
  try {
    return localStorage.getItem(REPORTER_KEY) ?? '';
  } catch {
    return '';
  }
}

export const sender = new Sender({
  store: outboxStore,
  post: postReport,
  async onSent(entry, body) {
    const r = body as ReportReceipt | undefined;
    const prev = await mineStore.get(entry.id);
    await mineStore.put(entry.id, {
      clientId: entry.id,
      createdAt: prev?.createdAt ?? entry.createdAt,
      category: entry.draft.category,
      description: entry.draft.description,
      number: r?.number ?? prev?.number,
      serverId: r?.id ?? prev?.serverId,
      status: r?.status ?? prev?.status ?? 'new',
      updatedAt: Date.now(),
      rejectedPhotos: r?.rejectedPhotos?.length ? r.rejectedPhotos : prev?.rejectedPhotos,
    });
  },
  now: () => Date.now(),
  rand: Math.random,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  authCheck,
});

/** Whether this login may send reports now, asked of `/api/auth/me` (no report is uploaded to find out). */
async function authCheck(): Promise<'ok' | AuthHalt | 'unknown'> {
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
  try {
    localStorage.setItem(REPORTER_KEY, reporter.value.trim());
  } catch {
    // not remembered
  }
  const id = editing.value ?? newReportId();
  const entry: OutboxEntry = {
    id,
    createdAt: Date.now(),
    draft,
    attempts: 0,
    nextAttemptAt: 0,
    state: 'pending',
  };
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

/** Asks the server for the current status of every report this phone sent that is not closed. */
export async function pollStatuses(): Promise<void> {
  const open = mine.value.filter((m) => m.number && needsPolling(m.status));
  if (open.length === 0) return;
  const items = await fetchStatuses(open.map((m) => m.clientId));
  for (const it of items) {
    const m = mine.value.find((x) => x.clientId === it.clientId);
    if (!m) continue;
    const updatedAt = typeof it.updatedAt === 'number' ? it.updatedAt : Date.parse(it.updatedAt);
    await mineStore.put(m.clientId, {
      ...m,
      status: it.status,
      number: it.number ?? m.number,
      serverId: it.id ?? m.serverId,
      updatedAt,
    });
  }
  statusCheckedAt.value = Date.now();
  await refresh();
}
