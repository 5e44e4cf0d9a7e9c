import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { errorText } from '../sharing/error-text.js';
import { formatMoment } from '../sharing/format.js';
import { useCommandEnv } from './command-context.js';
import { actorName } from './command-names.js';

/** Props of an alert's comments. */
export interface AlertCommentsProps {
  alert: Alert;
  /** Called after a comment was added (the alert is read again). */
  onAdded: () => void;
}

/** The conversation on an alert, oldest first, and a box to add to it. */
export function AlertComments({ alert, onAdded }: AlertCommentsProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const comments = alert.comments ?? [];

  const send = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await env.api.comment(alert.id, text.trim());
      setText('');
      onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="comments" data-testid="alert-comments">
      {comments.length === 0 && <p class="muted">{tr.t('cmd.comments.empty')}</p>}
      <ul class="comments__list">
        {comments.map((c) => (
          <li key={c.id} class="comment" data-testid="comment">
            <div class="comment__head">
              <span class="comment__by">{actorName(tr, env.organisations, c.by)}</span>
              <time dateTime={c.at}>{formatMoment(tr, c.at, env.now)}</time>
            </div>
            <p class="comment__text">{c.text}</p>
          </li>
        ))}
      </ul>
      <form
        class="comments__form"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void send();
        }}
      >
        <input
          type="text"
          name="comment"
          value={text}
          maxLength={4000}
          placeholder={tr.t('cmd.comments.placeholder')}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button
          type="submit"
          class="button button--small button--ghost"
          disabled={!text.trim() || busy}
        >
          {tr.t('cmd.comments.add')}
        </button>
      </form>
      {error !== undefined && <p class="form__error">{errorText(tr, error)}</p>}
    </div>
  );
}
