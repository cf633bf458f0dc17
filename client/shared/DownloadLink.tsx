import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { downloadErrorText, downloadFile } from './download.ts';

/**
 * A link to a file of the API (a CSV export). It keeps its `href`, so "copy link" works, but a
 * click downloads through `downloadFile`: an ended session opens the login page instead of
 * saving the server's error as the file, and any other failure is given to `onError`, in the
 * user's language.
 */
export function DownloadLink(props: {
  href: string;
  /** the file name when the server gives none */
  filename?: string;
  class?: string;
  title?: string;
  testId?: string;
  onError(text: string): void;
  /** a download begins (a page may clear the last one's error) */
  onStart?(): void;
  children: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <a
      class={props.class}
      href={props.href}
      download
      title={props.title}
      data-testid={props.testId}
      aria-busy={busy || undefined}
      onClick={(e) => {
        e.preventDefault();
        if (busy) return;
        setBusy(true);
        props.onStart?.();
        downloadFile(props.href, props.filename)
          .catch((err: unknown) => props.onError(downloadErrorText(err)))
          .finally(() => setBusy(false));
      }}
    >
      {props.children}
    </a>
  );
}
