import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { useI18n } from '../i18n.js';
import { CardState } from '../sharing/card-state.js';
import { errorText } from '../sharing/error-text.js';
import { formatMoment } from '../sharing/format.js';
import { useCommandEnv } from './command-context.js';
import { RULE_FORMATS, RULE_STATUSES } from './rule-text.js';
import type { RuleEditor as Editor } from './use-rule-editor.js';

/** Props of the rule editor. */
export interface RuleEditorProps {
  editor: Editor;
  /** False for users who may read rules but not change them. */
  canEdit: boolean;
}

/** One rule as text (JSON or YAML), its status, and saving it as a new version. */
export function RuleEditor({ editor: e, canEdit }: RuleEditorProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [formatRefused, setFormatRefused] = useState(false);
  const [statusRefused, setStatusRefused] = useState(false);
  const rule = e.stored.value;
  const o = e.outcome;
  const forbidden = o?.tone === 'bad' && o.error instanceof ApiError && o.error.status === 403;
  return (
    <section class="card glass rules__editor" data-testid="rule-editor" data-rule-id={rule?.id}>
      {!rule || !e.draft ? (
        <CardState
          kind={e.stored.settled ? 'error' : 'loading'}
          error={e.stored.error}
          onRetry={e.reload}
        />
      ) : (
        <>
          <header class="card__head card__head--detail">
            <div>
              <div class="drawer__kicker">{tr.t('cmd.rules.kicker')}</div>
              <h2 class="drawer__title">{rule.name}</h2>
              <div class="rules__meta">
                <code class="grant__id">{rule.id}</code>
                <span class="tag" data-testid="rule-version">{`v${rule.version}`}</span>
                <span class="muted">
                  {tr.t('cmd.rules.updated', {
                    who: rule.updatedBy,
                    when: formatMoment(tr, rule.updatedAt, env.now),
                  })}
                </span>
              </div>
            </div>
            <div
              class="segmented segmented--small"
              role="radiogroup"
              aria-label={tr.t('cmd.rules.format')}
            >
              {RULE_FORMATS.map((f) => (
                <button
                  key={f}
                  type="button"
                  role="radio"
                  aria-checked={e.draft!.format === f}
                  class={e.draft!.format === f ? 'is-active' : ''}
                  data-format={f}
                  onClick={() => setFormatRefused(!e.setFormat(f))}
                >
                  {f.toUpperCase()}
                </button>
              ))}
            </div>
          </header>
          <div class="rules__status">
            <span class="field__label">{tr.t('cmd.rules.status')}</span>
            <div
              class="segmented segmented--small"
              role="radiogroup"
              aria-label={tr.t('cmd.rules.status')}
              data-testid="rule-status"
            >
              {RULE_STATUSES.map((s) => (
                <button
                  key={s}
                  type="button"
                  role="radio"
                  aria-checked={e.status === s}
                  class={e.status === s ? 'is-active' : ''}
                  data-status={s}
                  disabled={!canEdit}
                  onClick={() => setStatusRefused(!e.setStatus(s))}
                >
                  {tr.tx('rstatus', s)}
                </button>
              ))}
            </div>
            {e.dirty && (
              <span class="rules__dirty" data-testid="rule-dirty">
                {tr.t('cmd.rules.unsaved')}
              </span>
            )}
          </div>
          {formatRefused && <p class="notice">{tr.t('cmd.rules.formatRefused')}</p>}
          {statusRefused && <p class="notice">{tr.t('cmd.rules.statusRefused')}</p>}
          <textarea
            class="rules__text"
            name="rule"
            spellcheck={false}
            readOnly={!canEdit}
            data-testid="rule-text"
            aria-label={tr.t('cmd.rules.text')}
            value={e.draft.text}
            onInput={(ev) => {
              setStatusRefused(false);
              e.edit((ev.target as HTMLTextAreaElement).value);
            }}
          />
          <footer class="rules__foot">
            {canEdit ? (
              <>
                <button
                  type="button"
                  class="button button--primary button--small"
                  disabled={!e.dirty || e.saving}
                  data-action="save-rule"
                  onClick={() => void e.save()}
                >
                  {e.saving ? tr.t('cmd.working') : tr.t('cmd.rules.save')}
                </button>
                <button
                  type="button"
                  class="button button--ghost button--small"
                  disabled={!e.dirty || e.saving}
                  onClick={e.revert}
                >
                  {tr.t('cmd.rules.revert')}
                </button>
              </>
            ) : (
              <span class="muted">{tr.t('cmd.rules.readOnly')}</span>
            )}
            {o?.tone === 'ok' && (
              <span class="rules__saved" role="status" data-testid="rule-saved">
                {tr.t('cmd.rules.saved', { n: o.version })}
              </span>
            )}
          </footer>
          {o && o.tone !== 'ok' && (
            <div
              class={`rules__problem${forbidden ? ' is-calm' : ''}`}
              role="alert"
              data-testid="rule-error"
            >
              <div class="rules__problem-head">
                {forbidden
                  ? tr.t('cmd.rules.forbidden')
                  : o.tone === 'stale'
                    ? tr.t('cmd.rules.stale')
                    : tr.t('cmd.rules.refused')}
              </div>
              <pre class="server-message">{errorText(tr, o.error)}</pre>
              {o.tone === 'stale' && (
                <button type="button" class="button button--ghost button--small" onClick={e.reload}>
                  {tr.t('cmd.rules.loadLatest')}
                </button>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
