import { useI18n } from '../i18n.js';
import type { GrantPhase } from './grant-phase.js';

/** A dataset's classification as a coloured badge (public green … sensitive red). */
export function ClassificationBadge({ value }: { value: string }) {
  const tr = useI18n();
  return (
    <span class={`tag tag--class-${value}`} data-classification={value}>
      {tr.tx('class', value, value)}
    </span>
  );
}

/** A grant's phase as a coloured status pill. */
export function PhaseBadge({ phase }: { phase: GrantPhase }) {
  const tr = useI18n();
  return (
    <span class={`status status--${phase}`} data-phase={phase}>
      <i />
      {tr.t(`phase.${phase}`)}
    </span>
  );
}
