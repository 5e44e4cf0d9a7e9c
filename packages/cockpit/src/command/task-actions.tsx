import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { useCommandEnv } from './command-context.js';
import type { Task, TaskAction } from './command-model.js';
import { ActionNotice } from './command-parts.js';
import { TaskReportForm } from './task-report-form.js';
import { taskActionsFor, type TaskActionName } from './task-state.js';
import { useAction } from './use-action.js';

/** Props of a task's actions. */
export interface TaskActionsProps {
  task: Task;
  onChanged: (task: Task) => void;
}

/** Actions that need a form before they are sent. */
type Form = 'progress' | 'complete' | 'reject' | 'cancel';
const NEEDS_FORM: readonly TaskActionName[] = ['progress', 'complete', 'reject', 'cancel'];

/** What the signed-in user may do to the task: accept, report progress, complete, reject, cancel. */
export function TaskActions({ task: t, onChanged }: TaskActionsProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const runner = useAction(env.changed);
  const [form, setForm] = useState<Form>();
  const [percent, setPercent] = useState(Math.max(t.progress, 10));
  const [text, setText] = useState('');
  const actions = taskActionsFor(t, env.me);

  const send = (action: TaskAction): void =>
    void runner
      .run(
        action.action,
        async () => {
          const changed = await env.api.actOnTask(t.id, action);
          onChanged(changed);
          return changed;
        },
        (changed) =>
          tr.t('cmd.done.task', { title: t.title, status: tr.tx('tstatus', changed.status) }),
      )
      .then((ok) => {
        if (!ok) return;
        setForm(undefined);
        setText('');
      });

  if (actions.length === 0)
    return (
      <>
        <p class="muted">{tr.t('cmd.task.noActions')}</p>
        <ActionNotice runner={runner} testId="task-notice" />
      </>
    );
  const note = text.trim() || undefined;
  return (
    <div class="act" data-testid="task-actions">
      <div class="act__buttons">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            class={`button button--small ${a === 'accept' || a === 'complete' ? 'button--primary' : a === 'reject' || a === 'cancel' ? 'button--reject' : 'button--ghost'}${form === a ? ' is-active' : ''}`}
            disabled={runner.busy !== undefined}
            data-action={a}
            onClick={() =>
              NEEDS_FORM.includes(a)
                ? setForm(form === a ? undefined : (a as Form))
                : send({ action: 'accept' })
            }
          >
            {tr.t(`cmd.task.${a}`)}
          </button>
        ))}
      </div>
      {form === 'progress' && (
        <form
          class="form task-form"
          data-testid="task-progress-form"
          onSubmit={(e) => {
            e.preventDefault();
            send({ action: 'progress', percent, ...(note && { note }) });
          }}
        >
          <label class="field">
            <span class="field__label">
              {tr.t('cmd.task.percent')}
              <small>{`${percent} %`}</small>
            </span>
            <input
              type="range"
              name="percent"
              min={0}
              max={100}
              step={5}
              value={percent}
              onInput={(e) => setPercent(Number((e.target as HTMLInputElement).value))}
            />
          </label>
          <input
            type="text"
            name="note"
            value={text}
            maxLength={2000}
            placeholder={tr.t('cmd.notePlaceholder')}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
          <div class="act__buttons">
            <button
              type="submit"
              class="button button--primary button--small"
              disabled={runner.busy !== undefined}
            >
              {tr.t('cmd.task.sendProgress')}
            </button>
          </div>
        </form>
      )}
      {(form === 'reject' || form === 'cancel') && (
        <form
          class="form task-form"
          data-testid={`task-${form}-form`}
          onSubmit={(e) => {
            e.preventDefault();
            send(
              form === 'reject'
                ? { action: 'reject', reason: text.trim() }
                : { action: 'cancel', ...(note && { note }) },
            );
          }}
        >
          <input
            type="text"
            name={form === 'reject' ? 'reason' : 'note'}
            value={text}
            maxLength={2000}
            required={form === 'reject'}
            placeholder={tr.t(
              form === 'reject' ? 'cmd.task.reasonPlaceholder' : 'cmd.notePlaceholder',
            )}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
          <div class="act__buttons">
            <button
              type="submit"
              class="button button--danger button--small"
              disabled={runner.busy !== undefined || (form === 'reject' && !text.trim())}
            >
              {tr.t(form === 'reject' ? 'cmd.task.confirmReject' : 'cmd.task.confirmCancel')}
            </button>
          </div>
        </form>
      )}
      {form === 'complete' && (
        <TaskReportForm
          task={t}
          runner={runner}
          onChanged={onChanged}
          onCancel={() => setForm(undefined)}
        />
      )}
      <ActionNotice runner={runner} testId="task-notice" />
    </div>
  );
}
