import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { actionsFor } from './alert-list.js';
import { useCommandEnv } from './command-context.js';
import type { AlertAction } from './command-model.js';
import { ActionNotice, OrgSelect } from './command-parts.js';
import { useAction } from './use-action.js';

/** Props of an alert's actions. */
export interface AlertActionsProps {
  alert: Alert;
  title: string;
  /** The alert as the server answered the action. */
  onChanged: (alert: Alert) => void;
}

/** What can be done to the alert now, with an optional note for its history. */
export function AlertActions({ alert, title, onChanged }: AlertActionsProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const runner = useAction(env.changed);
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState('');
  const actions = actionsFor(alert.status);

  const act = (action: AlertAction): void =>
    void runner
      .run(
        action,
        async () => {
          const changed = await env.api.actOnAlert(alert.id, action, {
            ...(note.trim() && { note: note.trim() }),
            ...(action === 'assign' && { assignee }),
          });
          onChanged(changed);
          return changed;
        },
        (changed) => tr.t('cmd.done.alert', { title, status: tr.tx('astatus', changed.status) }),
      )
      .then((ok) => ok && setNote(''));

  if (actions.length === 0) return <p class="muted">{tr.t('cmd.alert.noActions')}</p>;
  return (
    <div class="act" data-testid="alert-actions">
      <textarea
        class="act__note"
        name="note"
        rows={2}
        maxLength={2000}
        value={note}
        placeholder={tr.t('cmd.notePlaceholder')}
        onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
      />
      <div class="act__buttons">
        {actions
          .filter((a) => a !== 'assign')
          .map((a) => (
            <button
              key={a}
              type="button"
              class={`button button--small ${a === 'acknowledge' || a === 'close' ? 'button--primary' : 'button--ghost'}${a === 'escalate' ? ' button--escalate' : ''}`}
              disabled={runner.busy !== undefined}
              data-action={a}
              onClick={() => act(a)}
            >
              {runner.busy === a ? tr.t('cmd.working') : tr.t(`cmd.action.${a}`)}
            </button>
          ))}
      </div>
      {actions.includes('assign') && (
        <div class="act__assign">
          <OrgSelect
            name="assignee"
            organisations={env.organisationList}
            value={assignee}
            onChange={setAssignee}
            placeholder={tr.t('cmd.assignTo')}
          />
          <button
            type="button"
            class="button button--small button--ghost"
            disabled={!assignee || runner.busy !== undefined}
            data-action="assign"
            onClick={() => act('assign')}
          >
            {tr.t('cmd.action.assign')}
          </button>
        </div>
      )}
      <ActionNotice runner={runner} testId="alert-action-notice" />
    </div>
  );
}
