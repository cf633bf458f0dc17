import type { IncidentCategory } from '#contract/vocab.ts';
import { t } from '../../i18n/i18n.ts';
import { CATEGORY_COLORS, toCss } from '../../map/layers/style.ts';
import { CategoryIcon } from '../../shared/CategoryIcon.tsx';
import { type ReportPhase, reportStatusLabel } from '../reportStatus.ts';

/** The small parts of a report in a list, shared by the outbox and "my reports". */
export function Chip({ phase }: { phase: ReportPhase }) {
  const l = reportStatusLabel(phase);
  return (
    <span class={`chip chip-${l.tone}`} data-testid="status-chip" data-phase={phase}>
      {t(l.key)}
    </span>
  );
}

/** A report's category as a coloured round icon, in the outbox and "my reports". */
export function ItemIcon({ category }: { category: IncidentCategory }) {
  return (
    <span class="item-icon" style={{ background: toCss(CATEGORY_COLORS[category]) }}>
      <CategoryIcon category={category} size={22} />
    </span>
  );
}
