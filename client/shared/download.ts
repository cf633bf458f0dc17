import { t } from '../i18n/i18n.ts';
import { apiFetch } from './session.ts';

/** A download the server refused, or that never arrived (`status` 0). */
export class DownloadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The file name a `Content-Disposition` header gives (RFC 6266: `filename*` wins over
 * `filename`), without any folder part; undefined when it names none.
 */
export function filenameOf(header: string | null): string | undefined {
  if (!header) return undefined;
  let name: string | undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      name = decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
    } catch {
      // a malformed escape: the plain filename, if any
    }
  }
  if (!name) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]?.trim()) : undefined;
  }
  const base = name?.split(/[/\\]/).pop()?.trim();
  return base || undefined;
}

/**
 * Downloads a file of the API with the session cookie and saves it under the server's file
 * name. When the session has ended the page's handler takes over (by default: the login page)
 * and nothing is saved; any other failure throws a `DownloadError`, and nothing is saved either.
 */
export async function downloadFile(
  url: string,
  fallbackName = 'download',
): Promise<'saved' | 'unauthenticated'> {
  let r: Response;
  try {
    r = await apiFetch(url, { headers: { accept: 'text/csv, application/json;q=0.5, */*;q=0.1' } });
  } catch (err) {
    throw new DownloadError(0, 'unreachable', (err as Error).message);
  }
  // apiFetch handed the 401 to onUnauthenticated
  if (r.status === 401) return 'unauthenticated';
  if (!r.ok) {
    const body = (await r.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string } }
      | undefined;
    throw new DownloadError(
      r.status,
      body?.error?.code ?? `http_${r.status}`,
      body?.error?.message ?? `HTTP ${r.status}`,
    );
  }
  const blob = await r.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filenameOf(r.headers.get('content-disposition')) ?? fallbackName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // the browser reads the blob after this task: let it go a while later
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return 'saved';
}

/** Why a download failed, in the user's language (the server's own words where it gave some). */
export function downloadErrorText(err: unknown): string {
  if (err instanceof DownloadError) {
    if (err.status === 0) return t('download.unreachable');
    if (err.status === 403) return t('download.forbidden');
    return t('download.failed', { msg: err.message });
  }
  return t('download.failed', { msg: (err as Error)?.message ?? String(err) });
}
