import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { errorText } from '../sharing/error-text.js';
import { bulkActions } from './alert-list.js';
import { useCommandEnv } from './command-context.js';
import type { AlertAction, BulkOutcome } from './command-model.js';
import { OrgSelect } from './command-parts.js';

/** The outcome of one bulk action: each alert with its own result. */
export interface BulkReport {
  action: AlertAction;
  outcomes: BulkOutcome[];
  /** The headline of each alert, as it was when the action was taken. */
  titles: ReadonlyMap<string, string>;
}

/** Props of the bulk bar. */
export interface BulkBarProps {
  selected: readonly Alert[];
  titles: ReadonlyMap<string, string>;
  onReport: (report: BulkReport) => void;
  onClear: () => void;
}

/** One action, an optional note (and the organisation to assign) for every selected alert. */
export function BulkBar({ selected, titles, onReport, onClear }: BulkBarProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const offered = bulkActions(selected.map((a) => a.status));
  const [action, setAction] = useState<AlertAction | ''>('');
  const [assignee, setAssignee] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const chosen = action && offered.includes(action) ? action : '';
  const ready = chosen !== '' && (chosen !== 'assign' || assignee !== '');

  const apply = async (): Promise<void> => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      const ids = selected.map((a) => a.id);
      const outcomes = await env.api.bulk(chosen, ids, {
        ...(note.trim() && { note: note.trim() }),
        ...(chosen === 'assign' && { assignee }),
      });
      onReport({ action: chosen, outcomes, titles });
      setNote('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="bulk"
      data-testid="bulk-bar"
      onSubmit={(e) => {
        e.preventDefault();
        void apply();
      }}
    >
      <span class="bulk__count">{tr.t('cmd.bulk.selected', { n: selected.length })}</span>
      <select
        class="select"
        name="action"
        aria-label={tr.t('cmd.bulk.action')}
        value={chosen}
        onChange={(e) => setAction((e.target as HTMLSelectElement).value as AlertAction | '')}
      >
        <option value="">{tr.t('cmd.bulk.chooseAction')}</option>
        {offered.map((a) => (
          <option key={a} value={a}>
            {tr.t(`cmd.action.${a}`)}
          </option>
        ))}
      </select>
      {chosen === 'assign' && (
        <OrgSelect
          name="assignee"
          organisations={env.organisationList}
          value={assignee}
          onChange={setAssignee}
          placeholder={tr.t('cmd.assignTo')}
        />
      )}
      <input
        class="bulk__note"
        type="text"
        name="note"
        value={note}
        maxLength={2000}
        placeholder={tr.t('cmd.notePlaceholder')}
        onInput={(e) => setNote((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="button button--primary button--small" disabled={!ready || busy}>
        {busy ? tr.t('cmd.working') : tr.t('cmd.bulk.apply')}
      </button>
      <button type="button" class="button button--ghost button--small" onClick={onClear}>
        {tr.t('cmd.bulk.clear')}
      </button>
      {error !== undefined && <span class="bulk__error">{errorText(tr, error)}</span>}
    </form>
  );
}

/** Props of a bulk report. */
export interface BulkResultsProps {
  report: BulkReport;
  onDismiss: () => void;
}

/** Which alerts the bulk action changed, and why the others refused. */
export function BulkResults({ report, onDismiss }: BulkResultsProps) {
  const tr = useI18n();
  const ok = report.outcomes.filter((o) => o.ok).length;
  return (
    <div class="bulk-report" data-testid="bulk-report" role="status">
      <div class="bulk-report__head">
        <span>
          {tr.t('cmd.bulk.report', {
            action: tr.t(`cmd.action.${report.action}`),
            ok,
            failed: report.outcomes.length - ok,
          })}
        </span>
        <button
          type="button"
          class="notice__close"
          aria-label={tr.t('share.close')}
          onClick={onDismiss}
        >
          ×
        </button>
      </div>
      <ul class="bulk-report__list">
        {report.outcomes.map((o) => (
          <li key={o.id} class={`bulk-report__item ${o.ok ? 'is-ok' : 'is-bad'}`} data-ok={o.ok}>
            <span class="bulk-report__mark" aria-hidden="true">
              {o.ok ? '✓' : '✕'}
            </span>
            <span class="bulk-report__title">{report.titles.get(o.id) ?? o.id}</span>
            <span class="bulk-report__why">
              {o.ok ? tr.tx('astatus', o.status) : (o.problem.detail ?? o.problem.title ?? '')}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
