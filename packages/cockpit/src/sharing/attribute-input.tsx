import { useI18n } from '../i18n.js';
import { addAttributes } from './request-draft.js';

/** Props of the attribute chips input. */
export interface AttributeInputProps {
  id: string;
  /** The names already chips. */
  value: readonly string[];
  /** What is typed and not yet a chip (it still counts when the form is sent). */
  text: string;
  onChange: (attributes: string[], text: string) => void;
}

/** Attribute names as chips: type and press Enter or a comma; Backspace removes the last. */
export function AttributeInput({ id, value, text, onChange }: AttributeInputProps) {
  const tr = useI18n();
  const commit = (): void => {
    if (text.trim()) onChange(addAttributes(value, text), '');
  };
  return (
    <div class="chips-input" data-testid="attribute-input">
      {value.map((a) => (
        <span key={a} class="chips-input__chip">
          <code>{a}</code>
          <button
            type="button"
            aria-label={tr.t('share.form.removeAttribute', { name: a })}
            onClick={() =>
              onChange(
                value.filter((x) => x !== a),
                text,
              )
            }
          >
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        type="text"
        autocomplete="off"
        spellcheck={false}
        placeholder={value.length === 0 ? tr.t('share.form.attributesPlaceholder') : ''}
        value={text}
        onInput={(e) => {
          const typed = e.currentTarget.value;
          // A comma ends a name: what precedes it becomes a chip at once.
          if (/[,，;；]/.test(typed)) onChange(addAttributes(value, typed), '');
          else onChange([...value], typed);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          } else if (e.key === 'Backspace' && !text && value.length > 0) {
            onChange(value.slice(0, -1), '');
          }
        }}
        onBlur={commit}
      />
    </div>
  );
}
