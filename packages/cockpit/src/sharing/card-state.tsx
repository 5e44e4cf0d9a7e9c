import { useI18n } from '../i18n.js';
import { errorText } from './error-text.js';

/** Props of a card's placeholder. */
export interface CardStateProps {
  kind: 'loading' | 'empty' | 'error';
  /** The text of an empty state. */
  text?: string;
  /** The failure of an error state. */
  error?: unknown;
  onRetry?: () => void;
}

/** What a card shows instead of its content: loading, nothing to show, or what went wrong. */
export function CardState({ kind, text, error, onRetry }: CardStateProps) {
  const tr = useI18n();
  return (
    <div class={`card-state card-state--${kind}`} role={kind === 'error' ? 'alert' : undefined}>
      {kind === 'loading' && <span class="card-state__spinner" aria-hidden="true" />}
      <span>
        {kind === 'loading'
          ? tr.t('share.loading')
          : kind === 'error'
            ? errorText(tr, error)
            : text}
      </span>
      {kind === 'error' && onRetry && (
        <button type="button" class="button button--ghost button--small" onClick={onRetry}>
          {tr.t('share.retry')}
        </button>
      )}
    </div>
  );
}

/** A one-line notice inside a card whose data is shown but could not be refreshed. */
export function StaleNotice({ error }: { error: unknown }) {
  const tr = useI18n();
  return (
    <div class="notice notice--bad" role="alert">
      {errorText(tr, error)}
    </div>
  );
}
