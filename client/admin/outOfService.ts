// The out-of-service tab's form, apart from the page: which camera or segment an id names, the end
// typed in the city's time (UTC+7, whatever the browser's zone), and what is wrong before sending.
import { MAX_SHELVE_REASON_CHARS } from '#contract/alarmVocab.ts';
import { LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import type { AssetRef, CityAssets } from './assets.ts';

export type AssetKind = 'camera' | 'segment';

/** A camera or segment by its id. */
export function assetIndex(city: CityAssets | null | undefined): Map<string, AssetRef & { kind: AssetKind }> {
  const m = new Map<string, AssetRef & { kind: AssetKind }>();
  for (const c of city?.cameras ?? []) m.set(c.id, { ...c, kind: 'camera' });
  for (const s of city?.segments ?? []) m.set(s.id, { ...s, kind: 'segment' });
  return m;
}

/** A `datetime-local` value ("2026-11-23T08:30") read in the city's time: epoch ms; null when empty, undefined when unreadable. */
export function cityInputToEpoch(value: string): number | null | undefined {
  const v = value.trim();
  if (!v) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return undefined;
  const ms = Date.parse(`${v.length === 16 ? `${v}:00` : v}Z`);
  return Number.isFinite(ms) ? ms - LOCAL_OFFSET_MS : undefined;
}

/** An instant as a `datetime-local` value in the city's time, to the minute. */
export function epochToCityInput(ms: number): string {
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 16);
}

export interface OutOfServiceForm {
  /** the id typed or picked */
  asset: string;
  reason: string;
  /** `datetime-local`, city time; empty: until returned by hand */
  until: string;
}

export type OutOfServiceProblem = 'asset' | 'reason' | 'until';

/**
 * What the form would send, or what is wrong with it: an id the city model does not have (when it
 * is loaded), no reason, an end that is unreadable or not in the future.
 */
export function checkOutOfService(
  f: OutOfServiceForm,
  city: CityAssets | null | undefined,
  now: number,
):
  | { ok: true; assetId: string; body: { reason: string; until: number | null } }
  | { ok: false; problems: OutOfServiceProblem[] } {
  const problems: OutOfServiceProblem[] = [];
  const assetId = f.asset.trim();
  if (!assetId || (city && !assetIndex(city).has(assetId))) problems.push('asset');
  const reason = f.reason.trim();
  if (!reason || reason.length > MAX_SHELVE_REASON_CHARS) problems.push('reason');
  const until = cityInputToEpoch(f.until);
  if (until === undefined || (until !== null && until <= now)) problems.push('until');
  if (problems.length) return { ok: false, problems };
  return { ok: true, assetId, body: { reason, until: until ?? null } };
}
