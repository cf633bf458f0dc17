import type { MyReportsPage, MyReportView, ReportCreated, ReportStatus } from '#contract/incidentsApi.ts';
import { apiFetch } from '../shared/session.ts';
import type { OutboxEntry } from './outbox.ts';
import { parseRetryAfter } from './retry.ts';
import { type PostResult, serverError } from './sender.ts';

/** The 201/200 body of POST /api/reports. */
export type ReportReceipt = ReportCreated;
export type { ReportStatus };

/** A send attempt must not hang on a dead connection: big photos on 2G get this long. */
const POST_TIMEOUT_MS = 90_000;

/**
 * The server refuses a report whose `ts` is more than 7 days old (MAX_AGE_MS in
 * server/http/reportsRouter.ts); a day less leaves room for a phone clock behind the server's.
 */
export const MAX_TS_AGE_MS = 6 * 86_400_000;

/**
 * The report's `ts`: when the reporter first pressed Send (`createdAt`), so that operators see
 * when it was seen, not when the network let it through. Undefined (the server dates it on
 * arrival) when it is older than the server takes, or later than now (the phone's clock went back).
 */
export function reportTs(entry: Pick<OutboxEntry, 'createdAt'>, now: number): number | undefined {
  const age = now - entry.createdAt;
  return age >= 0 && age <= MAX_TS_AGE_MS ? entry.createdAt : undefined;
}

/** A 400 about `ts` alone: the phone's clock and the server's disagree; the report itself is good. */
export function refusedForTs(r: PostResult): boolean {
  const details = r.status === 400 ? serverError(r.body)?.details : undefined;
  return !!details?.length && details.every((x) => x.field === 'ts');
}

/**
 * One attempt to send a report from the outbox (multipart, as the contract names the fields),
 * dated when it was written; sent again at once without the date should the server refuse that.
 */
export async function postReport(entry: OutboxEntry): Promise<PostResult> {
  const ts = reportTs(entry, Date.now());
  const r = await post(entry, ts);
  return ts !== undefined && refusedForTs(r) ? post(entry, undefined) : r;
}

async function post(entry: OutboxEntry, ts: number | undefined): Promise<PostResult> {
  const d = entry.draft;
  const form = new FormData();
  form.set('id', entry.id);
  form.set('category', d.category);
  form.set('lat', d.lat.toFixed(6));
  form.set('lon', d.lon.toFixed(6));
  form.set('description', d.description);
  form.set('severity', String(d.severity));
  if (d.reporter) form.set('reporter', d.reporter);
  if (ts !== undefined) form.set('ts', String(ts));
  for (const p of d.photos) form.append('photo', p, p.name);
  let r: Response;
  try {
    r = await fetch('/api/reports', {
      method: 'POST',
      body: form,
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch (err) {
    return { status: 0, failure: navigator.onLine ? (err as Error).message : 'offline' };
  }
  let body: unknown;
  try {
    body = await r.json();
  } catch {
    // a proxy's HTML error page: the status decides
  }
  return {
    status: r.status,
    body,
    retryAfterMs: parseRetryAfter(r.headers.get('retry-after'), Date.now()),
    failure: `HTTP ${r.status}`,
  };
}

/** "My reports" as the server has them (`GET /api/reports/mine`): this account's, newest first. */
export async function fetchMine(signal?: AbortSignal): Promise<MyReportView[]> {
  // a 401 here halts the outbox (the page's handler), it does not leave the page
  const r = await apiFetch('/api/reports/mine', { signal });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return ((await r.json()) as MyReportsPage).items ?? [];
}
