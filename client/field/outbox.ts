import { createStore, del, get, set, values } from 'idb-keyval';
import type { MyReportView, ReportCreated, ReportUpdate } from '#contract/incidentsApi.ts';
import type { IncidentCategory, IncidentState } from '#contract/vocab.ts';

/** What the reporter filled in; photos are already shrunk JPEGs. */
export interface ReportDraft {
  category: IncidentCategory;
  lat: number;
  lon: number;
  /** GPS accuracy in metres; absent when the pin was placed by hand */
  accuracyM?: number;
  description: string;
  severity: number;
  reporter?: string;
  photos: File[];
}

/** The server's JSON error, kept with a report it refused. */
export interface ServerError {
  code: string;
  message: string;
  details?: Array<{ field: string; message: string }>;
}

/** The account that wrote a report, as the session named it then. */
export interface ReportOwner {
  id: string;
  username: string;
  displayName: string;
}

/**
 * What the phone keeps of anything it sends when the network lets it (a report, a task's step): the
 * sender's bookkeeping, the same for each.
 */
export interface QueuedItem {
  id: string;
  /** when it was queued (epoch ms, the phone's clock): sent oldest first */
  createdAt: number;
  /** only this account sends it */
  owner?: ReportOwner;
  /** failed attempts so far */
  attempts: number;
  /** not before this time (epoch ms) */
  nextAttemptAt: number;
  /** `rejected`: the server said no (4xx): kept to be shown, never retried */
  state: 'pending' | 'rejected';
  error?: ServerError;
  /** last transient failure, for the list */
  lastFailure?: string;
}

/** A report not yet received by the server, keyed by the UUID made on the phone. */
export interface OutboxEntry extends QueuedItem {
  /**
   * When the reporter first pressed Send (epoch ms, the phone's clock), kept when a refused report
   * is edited and sent again: sent as the report's `ts`, the time it was seen.
   */
  createdAt: number;
  draft: ReportDraft;
  /**
   * Only this account sends it (a shared phone: the server records whoever sends it as the
   * reporter). Absent on reports queued before owners were kept: whoever is signed in sends those.
   */
  owner?: ReportOwner;
}

/**
 * The outbox entry of a report the reporter sends: a new one, or a refused one edited (`edited`),
 * which keeps the time it was first sent (it was seen then, not when it was corrected). Either
 * goes under the account that wrote it (`owner`; none when no account is known).
 */
export function queuedReport(
  id: string,
  draft: ReportDraft,
  owner: ReportOwner | undefined,
  now: number,
  edited?: Pick<OutboxEntry, 'createdAt'>,
): OutboxEntry {
  return {
    id,
    createdAt: edited?.createdAt ?? now,
    draft,
    attempts: 0,
    nextAttemptAt: 0,
    state: 'pending',
    ...(owner && { owner }),
  };
}

/** Whether the account signed in (its id; undefined: not known) may send this report. */
export function mayGoAs(entry: Pick<OutboxEntry, 'owner'>, accountId: string | undefined): boolean {
  return !entry.owner || entry.owner.id === accountId;
}

export interface RejectedPhoto {
  name: string;
  code: string;
  message: string;
}

/** A report sent from this phone, as "My reports" lists it. */
export interface MyReport {
  clientId: string;
  createdAt: number;
  category: IncidentCategory;
  description: string;
  /**
   * The account that wrote it (its outbox entry's owner): only that account lists it, and the
   * server tells only that account its status. Absent on reports sent before owners were kept.
   */
  owner?: ReportOwner;
  /** set once the server has it */
  number?: string;
  serverId?: string;
  status?: IncidentState;
  updatedAt?: number;
  rejectedPhotos?: RejectedPhoto[];
  /** what the operators did and wrote, as the server last said (v1.6), oldest first */
  updates?: ReportUpdate[];
  /** the server's time of the last change it told: an older view never replaces a newer one */
  serverUpdatedAt?: number;
  mergedInto?: { id: string; number: string };
}

/**
 * A report as the server tells it ("my reports", or a live push) over what the phone kept of it: the
 * server's word for its state and the operators' notes, the phone's for what was written when the server
 * leaves it out. An older view than the one kept changes nothing.
 */
export function withServerView(
  prev: MyReport | undefined,
  v: MyReportView,
  owner: ReportOwner | undefined,
): MyReport {
  if (prev?.serverUpdatedAt !== undefined && prev.serverUpdatedAt > v.updatedAt) return prev;
  const o = prev?.owner ?? owner;
  const m: MyReport = {
    ...prev,
    clientId: v.clientId,
    createdAt: prev?.createdAt ?? v.createdAt,
    category: v.category,
    description: v.description ?? prev?.description ?? '',
    ...(o && { owner: o }),
    number: v.number,
    serverId: v.id,
    status: v.status,
    updatedAt: v.updatedAt,
    serverUpdatedAt: v.updatedAt,
    updates: v.updates,
  };
  if (v.mergedInto) m.mergedInto = v.mergedInto;
  return m;
}

/** The operators' latest note to the reporter, if they wrote one. */
export function latestNote(m: Pick<MyReport, 'updates'>): ReportUpdate | undefined {
  const notes = (m.updates ?? []).filter((u) => u.note);
  return notes[notes.length - 1];
}

/**
 * The reports "My reports" lists for the account signed in (its id; undefined: not known): its
 * own and those of no account, never another account's that was signed in on this phone before.
 */
export function reportsOf(all: MyReport[], accountId: string | undefined): MyReport[] {
  return all.filter((m) => !m.owner || m.owner.id === accountId);
}

/**
 * A report the server has received, as "My reports" keeps it: the server's answer (none when
 * it was not JSON), over what was kept of it before (`prev`: an answer to an earlier attempt).
 */
export function sentReport(
  entry: OutboxEntry,
  receipt: ReportCreated | undefined,
  prev: MyReport | undefined,
  now: number,
): MyReport {
  const owner = entry.owner ?? prev?.owner;
  return {
    clientId: entry.id,
    createdAt: prev?.createdAt ?? entry.createdAt,
    category: entry.draft.category,
    description: entry.draft.description,
    ...(owner && { owner }),
    number: receipt?.number ?? prev?.number,
    serverId: receipt?.id ?? prev?.serverId,
    status: receipt?.status ?? prev?.status ?? 'new',
    updatedAt: now,
    rejectedPhotos: receipt?.rejectedPhotos?.length ? receipt.rejectedPhotos : prev?.rejectedPhotos,
  };
}

export interface KeyedStore<T> {
  list(): Promise<T[]>;
  get(id: string): Promise<T | undefined>;
  put(id: string, value: T): Promise<void>;
  remove(id: string): Promise<void>;
}

/** An IndexedDB object store (one database each: idb-keyval opens a database with one store). */
export function idbStore<T>(dbName: string): KeyedStore<T> {
  const store = createStore(dbName, 'kv');
  return {
    list: () => values<T>(store),
    get: (id) => get<T>(id, store),
    put: (id, value) => set(id, value, store),
    remove: (id) => del(id, store),
  };
}

/** In memory, for tests. */
export function memoryStore<T>(): KeyedStore<T> & { map: Map<string, T> } {
  const map = new Map<string, T>();
  return {
    map,
    list: async () => [...map.values()],
    get: async (id) => map.get(id),
    put: async (id, value) => {
      map.set(id, value);
    },
    remove: async (id) => {
      map.delete(id);
    },
  };
}

/** A v4 UUID: crypto.randomUUID where the page is a secure context, getRandomValues otherwise. */
export function newReportId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
