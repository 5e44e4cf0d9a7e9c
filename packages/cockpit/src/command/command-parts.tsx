import { severityColor } from '../domain/severity.js';
import { useI18n } from '../i18n.js';
import { errorText } from '../sharing/error-text.js';
import type { Organisation } from '../sharing/sharing-model.js';
import { orgName } from './command-names.js';
import type { ActionRunner } from './use-action.js';

/** Which lifecycle a status belongs to (their words differ: an incident is "open"). */
export type StatusKind = 'alert' | 'incident' | 'task' | 'rule';

const PREFIX: Record<StatusKind, string> = {
  alert: 'astatus',
  incident: 'istatus',
  task: 'tstatus',
  rule: 'rstatus',
};

/** A status as a coloured pill. */
export function StatusPill({ kind, status }: { kind: StatusKind; status: string }) {
  const tr = useI18n();
  return (
    <span class={`status status--${status}`} data-status={status}>
      <i />
      {tr.tx(PREFIX[kind], status)}
    </span>
  );
}

/** A severity as a coloured chip. */
export function SeverityChip({ severity }: { severity: string }) {
  const tr = useI18n();
  return (
    <span class="chip" style={{ '--sev': severityColor(severity) }} data-severity={severity}>
      {tr.tx('sev', severity)}
    </span>
  );
}

/** The outcome of a screen's last action, with a button to dismiss it. */
export function ActionNotice({ runner, testId }: { runner: ActionRunner; testId?: string }) {
  const tr = useI18n();
  const o = runner.outcome;
  if (!o) return null;
  return (
    <div
      class={`notice notice--${o.tone}`}
      role={o.tone === 'bad' ? 'alert' : 'status'}
      data-testid={testId}
      data-tone={o.tone}
    >
      <span>{o.tone === 'ok' ? o.text : errorText(tr, o.error)}</span>
      <button
        type="button"
        class="notice__close"
        aria-label={tr.t('share.close')}
        onClick={runner.dismiss}
      >
        ×
      </button>
    </div>
  );
}

/** Props of an organisation picker. */
export interface OrgSelectProps {
  organisations: readonly Organisation[];
  value: string;
  onChange: (id: string) => void;
  placeholder: string;
  name?: string;
}

/** A select of the city's organisations, named in the reader's language. */
export function OrgSelect(p: OrgSelectProps) {
  const tr = useI18n();
  const byId = new Map(p.organisations.map((o) => [o.id, o]));
  return (
    <select
      name={p.name}
      value={p.value}
      onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)}
    >
      <option value="">{p.placeholder}</option>
      {p.organisations.map((o) => (
        <option key={o.id} value={o.id}>
          {orgName(tr, byId, o.id)}
        </option>
      ))}
    </select>
  );
}

/** A thin bar of how far something got, 0–100. */
export function ProgressBar({ percent }: { percent: number }) {
  const p = Math.max(0, Math.min(100, percent));
  return (
    <span class="progress" title={`${p} %`}>
      <i style={{ width: `${p}%` }} />
    </span>
  );
}
