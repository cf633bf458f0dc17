// The city's clock, one definition for the server, the browser pages and the simulators.
// Vietnam keeps UTC+7 all year (Asia/Ho_Chi_Minh has no daylight saving); days start at local midnight.

/** The city's time zone, for Intl formatting. */
export const CITY_TZ = 'Asia/Ho_Chi_Minh';
/** The city's offset from UTC. */
export const LOCAL_OFFSET_MS = 7 * 3_600_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Local midnight at or before `ms`. */
export function localDayStart(ms: number): number {
  return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
}

/** Local midnight at or after `ms`. */
export function localDayEnd(ms: number): number {
  return Math.ceil((ms + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
}

/** The local date (YYYY-MM-DD) of an instant. */
export function localDate(ms: number): string {
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a local date (YYYY-MM-DD) begins: its local midnight. */
export function localDateStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - LOCAL_OFFSET_MS;
}

/** The local year holding an instant. */
export function localYear(ms: number): number {
  return new Date(ms + LOCAL_OFFSET_MS).getUTCFullYear();
}

/** The instant a local year begins: 1 January, local midnight. */
export function localYearStart(year: number): number {
  return Date.UTC(year, 0, 1) - LOCAL_OFFSET_MS;
}
