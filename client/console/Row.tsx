import { t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';

/** A label and its value, as every panel lists them. */
export function Row({
  k,
  children,
  testid,
}: {
  k: MessageKey;
  children: preact.ComponentChildren;
  testid?: string;
}) {
  return (
    <div class="kv">
      <span class="k">{t(k)}</span>
      <span class="v" data-testid={testid}>
        {children}
      </span>
    </div>
  );
}
