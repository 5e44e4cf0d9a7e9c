import { useI18n } from '../i18n.js';
import { ChevronIcon, PurposeIcon } from '../sharing/icons.js';
import { PURPOSES, type Purpose } from '../sharing/sharing-model.js';
import { isPurpose } from '../stated-purpose.js';

/** Props of the purpose picker. */
export interface PurposePickerProps {
  purpose: Purpose | undefined;
  onChange: (purpose: Purpose | undefined) => void;
}

/**
 * Why the user reads, in the header: every call states it, so it decides which of other
 * organisations' granted data the cockpit shows (none without one).
 */
export function PurposePicker({ purpose, onChange }: PurposePickerProps) {
  const tr = useI18n();
  const chosen = tr.t(purpose ? `purpose.${purpose}` : 'header.purposeNone');
  return (
    <label
      class={`purpose-picker${purpose ? ' is-stated' : ''}`}
      // The chosen purpose in full too: a narrow header shortens it.
      title={`${chosen}\n${tr.t('header.purposeHint')}`}
      data-testid="purpose-picker"
    >
      <PurposeIcon />
      <select
        aria-label={tr.t('header.purpose')}
        value={purpose ?? ''}
        onChange={(e) => {
          const next = e.currentTarget.value;
          onChange(isPurpose(next) ? next : undefined);
        }}
      >
        <option value="">{tr.t('header.purposeNone')}</option>
        {PURPOSES.map((p) => (
          <option key={p} value={p}>
            {tr.t(`purpose.${p}`)}
          </option>
        ))}
      </select>
      <ChevronIcon size={14} />
    </label>
  );
}
