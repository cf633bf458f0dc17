import type { ReportCreated, ReportStatus } from '../../server/contracts/incidentsApi.ts';
import { apiFetch } from '../shared/session.ts';
import type { OutboxEntry } from './outbox.ts';
import { parseRetryAfter } from './retry.ts';
import type { PostResult } from './sender.ts';

/** The 201/200 body of POST /api/reports. */
export type ReportReceipt = ReportCreated;
export type { ReportStatus };

/** A send attempt must not hang on a dead connection: big photos on 2G get this long. */
const POST_TIMEOUT_MS = 90_000;

/** One attempt to send a report from the outbox (multipart, as the contract names the fields). */
export async function postReport(entry: OutboxEntry): Promise<PostResult> {
  const d = entry.draft;
  const form = new FormData();
  form.set('id', entry.id);
  form.set('category', d.category);
  form.set('lat', d.lat.toFixed(6));
  form.set('lon', d.lon.toFixed(6));
  form.set('description', d.description);
  form.set('severity', String(d.severity));
  if (d.reporter) form.set('reporter', d.reporter);
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

/** Current status of reports this phone sent, by their client ids. */
export async function fetchStatuses(clientIds: string[], signal?: AbortSignal): Promise<ReportStatus[]> {
  if (clientIds.length === 0) return [];
  // a 401 here halts the outbox (the page's handler), it does not leave the page
  const r = await apiFetch(`/api/reports/status?ids=${clientIds.map(encodeURIComponent).join(',')}`, {
    signal,
  });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return ((await r.json()) as { items: ReportStatus[] }).items ?? [];
}
