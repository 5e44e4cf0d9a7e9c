import { createPortal } from 'preact/compat';
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { errorText } from '../sharing/error-text.js';
import { useEscape } from '../sharing/use-escape.js';
import { useCommandEnv, type DispatchOrigin } from './command-context.js';
import { TASK_PRIORITIES, type Task } from './command-model.js';
import { OrgSelect } from './command-parts.js';
import {
  dispatchRequest,
  emptyDispatch,
  type DispatchDraft,
  type DispatchProblem,
} from './dispatch-draft.js';

/** Props of the dispatch dialog. */
export interface DispatchDialogProps {
  origin: DispatchOrigin;
  onDone: (task: Task) => void;
  onCancel: () => void;
}

/** A work order from an incident or an alert: who, what, by when, how urgent. */
export function DispatchDialog({ origin, onDone, onCancel }: DispatchDialogProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  useEscape(onCancel);
  const [draft, setDraft] = useState<DispatchDraft>(() => emptyDispatch(Date.now()));
  const [problem, setProblem] = useState<DispatchProblem>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof DispatchDraft>(key: K, value: DispatchDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const value = (e: Event) => (e.target as HTMLInputElement).value;

  const submit = async (): Promise<void> => {
    const checked = dispatchRequest(draft, origin, Date.now());
    if ('problem' in checked) return setProblem(checked.problem);
    setProblem(undefined);
    setError(undefined);
    setBusy(true);
    try {
      onDone(await env.api.dispatch(checked.request));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return createPortal(
    <div class="dialog-backdrop" onClick={onCancel}>
      <form
        class="dialog dialog--form glass form"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dispatch-title"
        data-testid="dispatch-dialog"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="dispatch-title" class="dialog__title">
          {tr.t('cmd.dispatch.title')}
        </h2>
        <p class="dialog__text">
          {tr.t(
            origin.kind === 'incident'
              ? 'cmd.dispatch.fromIncidentText'
              : 'cmd.dispatch.fromAlertText',
            { title: origin.title },
          )}
        </p>
        <label class="field">
          <span class="field__label">{tr.t('cmd.dispatch.assignee')}</span>
          <OrgSelect
            name="assignee"
            organisations={env.organisationList}
            value={draft.assignee}
            onChange={(v) => set('assignee', v)}
            placeholder={tr.t('cmd.dispatch.chooseAssignee')}
          />
        </label>
        <label class="field">
          <span class="field__label">{tr.t('cmd.dispatch.taskTitle')}</span>
          <input
            type="text"
            name="title"
            maxLength={300}
            value={draft.title}
            placeholder={tr.t('cmd.dispatch.titlePlaceholder')}
            onInput={(e) => set('title', value(e))}
          />
        </label>
        <label class="field">
          <span class="field__label">
            {tr.t('cmd.dispatch.description')}
            <small>{tr.t('cmd.optional')}</small>
          </span>
          <textarea
            name="description"
            rows={3}
            maxLength={4000}
            value={draft.description}
            onInput={(e) => set('description', value(e))}
          />
        </label>
        <div class="form__row">
          <label class="field">
            <span class="field__label">{tr.t('cmd.dispatch.due')}</span>
            <input
              type="datetime-local"
              name="due"
              value={draft.due}
              onInput={(e) => set('due', value(e))}
            />
          </label>
          <div class="field">
            <span class="field__label">{tr.t('cmd.dispatch.priority')}</span>
            <div class="segmented" role="radiogroup" aria-label={tr.t('cmd.dispatch.priority')}>
              {TASK_PRIORITIES.map((p) => (
                <button
                  key={p}
                  type="button"
                  role="radio"
                  aria-checked={draft.priority === p}
                  class={draft.priority === p ? 'is-active' : ''}
                  data-priority={p}
                  onClick={() => set('priority', p)}
                >
                  {tr.tx('prio', p)}
                </button>
              ))}
            </div>
          </div>
        </div>
        {problem && <p class="form__error">{tr.t(problem)}</p>}
        {error !== undefined && <p class="form__error">{errorText(tr, error)}</p>}
        <div class="dialog__buttons">
          <button type="button" class="button button--ghost" onClick={onCancel}>
            {tr.t('share.cancel')}
          </button>
          <button
            type="submit"
            class="button button--primary"
            disabled={busy}
            data-action="dispatch-submit"
          >
            {busy ? tr.t('cmd.working') : tr.t('cmd.dispatch.submit')}
          </button>
        </div>
      </form>
    </div>,
    document.body,
  );
}
