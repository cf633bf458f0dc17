// Open311 reports given with an address only (no position, this server does not geocode): the
// queue lists them under "Unplaced"; an operator picks one and clicks the map where it is, the
// server stores that position and makes its incident, which then comes over the socket like any other.
import { effect, signal } from '@preact/signals';
import type { IncidentListItem, UnplacedReport } from '#contract/incidentsApi.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { apiFetch } from '../shared/session.ts';
import { ApiRequestError } from './api.ts';
import { openIncident } from './Feed.tsx';
import { queueOpen } from './store.ts';

/** Reports waiting for a position, oldest first (as the server lists them). */
export const unplaced = signal<UnplacedReport[]>([]);
/** The report the operator is placing: the next click on the map gives its position. */
export const placing = signal<UnplacedReport | null>(null);
/** Why the last placing was refused, in the reader's words. */
export const placeError = signal<MessageKey | null>(null);

/** Nothing comes over the socket for a waiting report: the list is read while the queue is open. */
const REFRESH_MS = 20_000;

export async function loadUnplaced(): Promise<void> {
  const r = await apiFetch('/api/incidents/unplaced');
  if (!r.ok) return;
  const { items } = (await r.json()) as { items: UnplacedReport[] };
  unplaced.value = items;
  // placed by someone else meanwhile: nothing left to place
  if (placing.value && !items.some((u) => u.id === placing.value?.id)) placing.value = null;
}

export function startPlacing(report: UnplacedReport): void {
  placeError.value = null;
  placing.value = report;
}

/** Esc: stops placing; false when nothing was being placed. */
export function cancelPlacing(): boolean {
  if (!placing.value) return false;
  placing.value = null;
  placeError.value = null;
  return true;
}

let sending = false;

/** Stores the position of the report being placed, then opens its new incident. */
export async function placeAt(lat: number, lon: number): Promise<void> {
  const report = placing.value;
  if (!report || sending) return;
  sending = true;
  try {
    const r = await apiFetch(`/api/incidents/unplaced/${encodeURIComponent(report.id)}/place`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lat, lon }),
    });
    const body = (await r.json().catch(() => undefined)) as
      | { incident?: IncidentListItem; error?: { code: string; message: string } }
      | undefined;
    if (!r.ok || !body?.incident)
      throw new ApiRequestError(
        r.status,
        body?.error?.code ?? `http_${r.status}`,
        body?.error?.message ?? '',
      );
    unplaced.value = unplaced.value.filter((u) => u.id !== report.id);
    placing.value = null;
    placeError.value = null;
    openIncident(body.incident.id);
  } catch (err) {
    const status = err instanceof ApiRequestError ? err.status : 0;
    // 400: outside the city, pick another point; 404/409: placed (or gone) meanwhile
    placeError.value =
      status === 400
        ? 'unplaced.err.outside'
        : status === 404 || status === 409
          ? 'unplaced.err.gone'
          : 'unplaced.err.failed';
    if (status === 404 || status === 409) {
      placing.value = null;
      await loadUnplaced().catch(() => undefined);
    }
  } finally {
    sending = false;
  }
}

interface ClickableMap {
  on(type: 'click', f: (e: { lngLat: { lat: number; lng: number } }) => void): unknown;
  off(type: 'click', f: (e: { lngLat: { lat: number; lng: number } }) => void): unknown;
  getContainer(): HTMLElement;
}

/** Wires the map's clicks to placing, and keeps the list fresh while the queue is open. */
export function startUnplaced(map: ClickableMap): () => void {
  const onClick = (e: { lngLat: { lat: number; lng: number } }) => {
    if (placing.value) void placeAt(e.lngLat.lat, e.lngLat.lng);
  };
  map.on('click', onClick);
  const stopCursor = effect(() => {
    map.getContainer().classList.toggle('placing', !!placing.value);
  });
  let timer: ReturnType<typeof setInterval> | undefined;
  const stopRefresh = effect(() => {
    clearInterval(timer);
    timer = undefined;
    if (!queueOpen.value) return;
    void loadUnplaced().catch(() => undefined);
    timer = setInterval(() => void loadUnplaced().catch(() => undefined), REFRESH_MS);
  });
  return () => {
    map.off('click', onClick);
    stopCursor();
    stopRefresh();
    clearInterval(timer);
  };
}
