import { useI18n } from '../i18n.js';
import type { RequestDraft } from './request-draft.js';
import { PROHIBITIONS } from './sharing-model.js';

/** Props of the terms part of the request form. */
export interface RequestTermsProps {
  draft: RequestDraft;
  onChange: (patch: Partial<RequestDraft>) => void;
}

/** The duties the requester accepts and what it promises not to do. */
export function RequestTerms({ draft, onChange }: RequestTermsProps) {
  const tr = useI18n();
  return (
    <>
      <fieldset class="form__group">
        <legend class="field__label">{tr.t('share.form.duties')}</legend>
        <label class="check">
          <input
            type="checkbox"
            name="informOwner"
            checked={draft.informOwner}
            onChange={(e) => onChange({ informOwner: e.currentTarget.checked })}
          />
          {tr.t('duty.inform')}
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="deleteAfter"
            checked={draft.deleteAfter}
            onChange={(e) => onChange({ deleteAfter: e.currentTarget.checked })}
          />
          {tr.t('share.form.deleteAfter')}
          <input
            class="check__days"
            type="number"
            name="deleteAfterDays"
            min={1}
            max={3650}
            value={draft.deleteAfterDays}
            aria-label={tr.t('share.form.deleteAfterDays')}
            onInput={(e) => onChange({ deleteAfterDays: e.currentTarget.value, deleteAfter: true })}
          />
          {tr.t('share.form.days')}
        </label>
      </fieldset>
      <fieldset class="form__group">
        <legend class="field__label">{tr.t('share.form.prohibitions')}</legend>
        <div class="toggles">
          {PROHIBITIONS.map((x) => {
            const on = draft.prohibitions.includes(x);
            return (
              <label key={x} class={`toggle${on ? ' is-on' : ''}`}>
                <input
                  type="checkbox"
                  name="prohibitions"
                  value={x}
                  checked={on}
                  onChange={() =>
                    onChange({
                      prohibitions: on
                        ? draft.prohibitions.filter((y) => y !== x)
                        : [...draft.prohibitions, x],
                    })
                  }
                />
                {tr.t(`prohibition.${x}`)}
              </label>
            );
          })}
        </div>
      </fieldset>
    </>
  );
}
