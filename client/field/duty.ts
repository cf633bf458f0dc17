import { signal } from '@preact/signals';
import { type PhonePosition, UNIT_POSITION_INTERVAL_MS } from '#contract/units.ts';
import { apiFetch } from '../shared/session.ts';
import { serverError } from './sender.ts';

/** Where sharing stands, for the indicator. */
export type DutyState =
  | 'off'
  | 'locating'
  | 'sharing'
  | 'denied'
  | 'unavailable'
  | 'no_gps'
  | 'offline'
  | 'refused';

export interface Fix {
  lat: number;
  lon: number;
  accuracyM?: number;
  headingDeg?: number;
  speedKmh?: number;
  /** when the GPS took it (epoch ms) */
  ts: number;
}

/** Whether the officer switched sharing on (kept across reloads, per account, until stopped). */
export const sharing = signal(false);
export const dutyState = signal<DutyState>('off');
/** when the server last took a position from this phone */
export const lastSentAt = signal(0);
/** the server's reason, when it refused a position */
export const refusedWhy = signal('');
/** the phone's last GPS fix, shared or not: the tasks' distances */
export const here = signal<Fix | null>(null);

const DUTY_KEY = 'ioc.field.duty';
/** an off-duty the network did not let through: sent when it is back */
const OFF_PENDING_KEY = 'ioc.field.duty.offPending';

/** What one fix is worth sending: the contract's body of `POST /api/units/me/position`. */
export function positionBody(f: Fix): PhonePosition {
  return {
    ts: Math.round(f.ts),
    lat: f.lat,
    lon: f.lon,
    ...(f.accuracyM !== undefined && { accuracyM: Math.round(f.accuracyM) }),
    ...(f.headingDeg !== undefined && { headingDeg: f.headingDeg }),
    ...(f.speedKmh !== undefined && { speedKmh: f.speedKmh }),
  };
}

/** A browser position as a fix. */
export function toFix(p: GeolocationPosition): Fix {
  const c = p.coords;
  return {
    lat: c.latitude,
    lon: c.longitude,
    accuracyM: Number.isFinite(c.accuracy) ? c.accuracy : undefined,
    headingDeg: c.heading !== null && Number.isFinite(c.heading) ? c.heading : undefined,
    speedKmh:
      c.speed !== null && Number.isFinite(c.speed) ? Math.min(250, Math.round(c.speed * 3.6)) : undefined,
    ts: p.timestamp || Date.now(),
  };
}

/**
 * When the next position may go: at most one every UNIT_POSITION_INTERVAL_MS, the latest fix winning.
 * Returns 0 to send now.
 */
export function sendDelay(lastAttemptAt: number, now: number): number {
  return Math.max(0, lastAttemptAt + UNIT_POSITION_INTERVAL_MS - now);
}

let watchId: number | null = null;
let latest: Fix | null = null;
let sentFix: Fix | null = null;
let lastAttemptAt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let heartbeat: ReturnType<typeof setInterval> | undefined;
let accountId: string | undefined;

/** Shares this phone's position while the officer is on duty: watches the GPS and sends its fixes. */
export function startSharing(): void {
  if (!('geolocation' in navigator)) {
    dutyState.value = 'no_gps';
    return;
  }
  sharing.value = true;
  remember(true);
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  dutyState.value = 'locating';
  watchId = navigator.geolocation.watchPosition(onFix, onError, GPS_OPTIONS);
  // a phone lying still gets no new fix from the watch: asked for one now and then, so that its unit
  // does not go stale on the console while the officer waits
  heartbeat = setInterval(() => {
    if (!latest || Date.now() - latest.ts > STILL_MS)
      navigator.geolocation.getCurrentPosition(onFix, onError, GPS_OPTIONS);
  }, STILL_MS);
}

const GPS_OPTIONS: PositionOptions = {
  enableHighAccuracy: true,
  maximumAge: UNIT_POSITION_INTERVAL_MS,
  timeout: 30_000,
};
/** no fix for this long: one is asked for */
const STILL_MS = 30_000;

function onFix(p: GeolocationPosition): void {
  latest = toFix(p);
  here.value = latest;
  if (dutyState.value === 'unavailable') dutyState.value = 'locating';
  schedule();
}

function onError(err: GeolocationPositionError): void {
  if (err.code === err.PERMISSION_DENIED) {
    // nothing will come: sharing ends, and the officer is told how to allow it
    stopWatching();
    sharing.value = false;
    remember(false);
    dutyState.value = 'denied';
  } else if (dutyState.value === 'locating' || dutyState.value === 'sharing') dutyState.value = 'unavailable';
}

/** One GPS fix for the tasks' distances, when the phone is not sharing (silent if refused). */
export function locateOnce(): void {
  if (!('geolocation' in navigator) || sharing.value) return;
  navigator.geolocation.getCurrentPosition(
    (p) => {
      here.value = toFix(p);
    },
    () => undefined,
    { enableHighAccuracy: false, maximumAge: 60_000, timeout: 30_000 },
  );
}

/** The officer stops sharing: the GPS is let go, and the unit leaves the console's map. */
export async function stopSharing(): Promise<void> {
  stopWatching();
  sharing.value = false;
  remember(false);
  dutyState.value = 'off';
  await sendOffDuty();
}

/** Sends an off-duty left over from a stop made offline (the network is back). */
export async function flushOffDuty(): Promise<void> {
  if (!sharing.value && readFlag(OFF_PENDING_KEY)) await sendOffDuty();
}

async function sendOffDuty(): Promise<void> {
  try {
    const r = await apiFetch('/api/units/me/off-duty', { method: 'POST' });
    if (r.ok || r.status === 401 || r.status === 403) writeFlag(OFF_PENDING_KEY, false);
    else writeFlag(OFF_PENDING_KEY, true);
  } catch {
    writeFlag(OFF_PENDING_KEY, true);
  }
}

/** Starts sharing again after a reload when this account left it on. */
export function resumeSharing(account: string | undefined): void {
  accountId = account;
  if (account && readFlag(`${DUTY_KEY}.${account}`) && !sharing.value) startSharing();
}

function stopWatching(): void {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  watchId = null;
  if (heartbeat !== undefined) clearInterval(heartbeat);
  heartbeat = undefined;
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
}

function schedule(): void {
  if (timer !== undefined) return;
  timer = setTimeout(
    () => {
      timer = undefined;
      void send();
    },
    sendDelay(lastAttemptAt, Date.now()),
  );
}

async function send(): Promise<void> {
  const f = latest;
  if (!f || f === sentFix || !sharing.value) return;
  lastAttemptAt = Date.now();
  let r: Response;
  try {
    r = await apiFetch('/api/units/me/position', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(positionBody(f)),
    });
  } catch {
    // a stale position is worth nothing later: the next fix goes once the network is back
    if (sharing.value) dutyState.value = 'offline';
    return;
  }
  if (!sharing.value) return;
  if (r.ok) {
    sentFix = f;
    lastSentAt.value = Date.now();
    dutyState.value = 'sharing';
  } else if (r.status === 429) {
    // another tab of this account sent one just now: this fix goes at the next turn
    schedule();
  } else if (r.status >= 500) {
    dutyState.value = 'offline';
  } else if (r.status !== 401) {
    const e = serverError(await r.json().catch(() => undefined));
    refusedWhy.value = e?.message ?? `HTTP ${r.status}`;
    dutyState.value = 'refused';
  }
}

/** The network is back: the latest fix goes now (within the interval). */
export function networkBack(): void {
  void flushOffDuty();
  if (sharing.value && latest) {
    sentFix = null;
    schedule();
  }
}

function remember(on: boolean): void {
  if (accountId) writeFlag(`${DUTY_KEY}.${accountId}`, on);
}

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

function writeFlag(key: string, on: boolean): void {
  try {
    if (on) localStorage.setItem(key, '1');
    else localStorage.removeItem(key);
  } catch {
    // not remembered: sharing ends with the page
  }
}
