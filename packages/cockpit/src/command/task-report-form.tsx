import { useEffect, useMemo, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { useCommandEnv } from './command-context.js';
import type { Task } from './command-model.js';
import { photoProblem, readPhoto, type PhotoProblem } from './photo-file.js';
import type { ActionRunner } from './use-action.js';

/** Props of the completion report. */
export interface TaskReportFormProps {
  task: Task;
  runner: ActionRunner;
  onChanged: (task: Task) => void;
  onCancel: () => void;
}

/** Photos sent at most per report (the server keeps ten per task). */
const MAX_PHOTOS = 10;

/** The picked files' previews, released when the form goes. */
function usePreviews(files: readonly File[]): string[] {
  const urls = useMemo(() => files.map((f) => URL.createObjectURL(f)), [files]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  return urls;
}

/** Completes a task with a written report and photos: the photos go up first, then the report. */
export function TaskReportForm({ task, runner, onChanged, onCancel }: TaskReportFormProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [report, setReport] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [refused, setRefused] = useState<{ name: string; problem: PhotoProblem }[]>([]);
  // A retry after a failure does not send the photos that already went up.
  const [sent] = useState(() => new Map<File, string>());
  const previews = usePreviews(files);

  const pick = (list: FileList | null): void => {
    const picked = [...(list ?? [])];
    const bad = picked.flatMap((f) => {
      const problem = photoProblem(f);
      return problem ? [{ name: f.name, problem }] : [];
    });
    setRefused(bad);
    const good = picked.filter((f) => !photoProblem(f));
    setFiles((now) => [...now, ...good].slice(0, MAX_PHOTOS));
  };

  const complete = async (): Promise<Task> => {
    const ids: string[] = [];
    for (const file of files) {
      let id = sent.get(file);
      if (id === undefined) {
        id = (await env.api.uploadPhoto(task.id, await readPhoto(file))).id;
        sent.set(file, id);
      }
      ids.push(id);
    }
    const done = await env.api.actOnTask(task.id, {
      action: 'complete',
      report: report.trim(),
      photos: ids,
    });
    onChanged(done);
    return done;
  };

  return (
    <form
      class="form task-form"
      data-testid="task-report-form"
      onSubmit={(e) => {
        e.preventDefault();
        void runner.run('complete', complete, () =>
          tr.t('cmd.done.completed', { title: task.title }),
        );
      }}
    >
      <label class="field">
        <span class="field__label">{tr.t('cmd.report.text')}</span>
        <textarea
          name="report"
          rows={3}
          maxLength={8000}
          required
          value={report}
          placeholder={tr.t('cmd.report.placeholder')}
          onInput={(e) => setReport((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <label class="field">
        <span class="field__label">
          {tr.t('cmd.report.photos')}
          <small>{tr.t('cmd.report.photosHint')}</small>
        </span>
        <input
          type="file"
          name="photos"
          accept="image/jpeg,image/png,image/webp"
          multiple
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            pick(input.files);
            input.value = '';
          }}
        />
      </label>
      {refused.map((r) => (
        <p key={r.name} class="form__error">
          {tr.t(`cmd.report.refused.${r.problem}`, { name: r.name })}
        </p>
      ))}
      {files.length > 0 && (
        <ul class="thumbs" data-testid="report-previews">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`} class="thumb">
              <img src={previews[i]} alt={f.name} />
              <button
                type="button"
                class="thumb__remove"
                aria-label={tr.t('cmd.report.remove', { name: f.name })}
                onClick={() => setFiles(files.filter((x) => x !== f))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="act__buttons">
        <button
          type="submit"
          class="button button--primary button--small"
          disabled={!report.trim() || runner.busy !== undefined}
          data-action="submit-report"
        >
          {runner.busy === 'complete' ? tr.t('cmd.report.sending') : tr.t('cmd.report.submit')}
        </button>
        <button type="button" class="button button--ghost button--small" onClick={onCancel}>
          {tr.t('share.cancel')}
        </button>
      </div>
    </form>
  );
}
