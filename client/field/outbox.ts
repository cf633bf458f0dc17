import { createStore, del, get, set, values } from 'idb-keyval';
import type { IncidentCategory, IncidentState } from '../../server/contracts/vocab.ts';

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

/** A report not yet received by the server, keyed by the UUID made on the phone. */
export interface OutboxEntry {
  id: string;
  createdAt: number;
  draft: ReportDraft;
  /** failed attempts so far */
  attempts: number;
  /** not before this time (epoch ms) */
  nextAttemptAt: number;
  /** `rejected`: the server said no (4xx): kept for the reporter to edit or discard, never retried */
  state: 'pending' | 'rejected';
  error?: ServerError;
  /** last transient failure, for the list */
  lastFailure?: string;
}

export interface RejectedPhoto {
  name: string;
  code: string;
  message: string;
}

/** A report of this phone, as "My reports" lists it. */
export interface MyReport {
  clientId: string;
  createdAt: number;
  category: IncidentCategory;
  description: string;
  /** set once the server has it */
  number?: string;
  serverId?: string;
  status?: IncidentState;
  updatedAt?: number;
  rejectedPhotos?: RejectedPhoto[];
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
