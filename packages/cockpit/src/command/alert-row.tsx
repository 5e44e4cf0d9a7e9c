import { severityColor } from '../domain/severity.js';
import { relativeTime, useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { actionsFor } from './alert-list.js';
import { useCommandEnv } from './command-context.js';
import type { AlertAction } from './command-model.js';
import { alertHeadline, areaName, descriptions, orgName } from './command-names.js';
import { StatusPill } from './command-parts.js';

/** Props of one alert row. */
export interface AlertRowProps {
  alert: Alert;
  selected: boolean;
  fresh: boolean;
  busy: boolean;
  onSelect: (id: string, on: boolean) => void;
  onAction: (alert: Alert, action: AlertAction) => void;
}

/** The one action a row offers at a glance: the next step of the lifecycle. */
const QUICK: readonly AlertAction[] = ['acknowledge', 'close'];

/** One alert: severity, what and where, who must act, status, age and its next step. */
export function AlertRow({ alert: a, ...p }: AlertRowProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const quick = actionsFor(a.status).find((x) => QUICK.includes(x));
  const level = a.escalationLevel ?? 1;
  const due = a.status === 'raised' && a.acknowledgeBy ? Date.parse(a.acknowledgeBy) : undefined;
  const { main } = descriptions(tr, a);
  return (
    <tr
      class={`arow arow--${a.status}${p.selected ? ' is-selected' : ''}${p.fresh ? ' is-fresh' : ''}`}
      style={{ '--sev': severityColor(a.severity) }}
      data-testid="command-alert-row"
      data-alert-id={a.id}
      data-status={a.status}
      onClick={() => env.openAlert(a.id)}
    >
      <td class="arow__check" onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          checked={p.selected}
          aria-label={tr.t('cmd.alerts.select')}
          onChange={(e) => p.onSelect(a.id, (e.target as HTMLInputElement).checked)}
        />
      </td>
      <td>
        <span class="chip">{tr.tx('sev', a.severity)}</span>
      </td>
      <td class="arow__what">
        <button type="button" class="arow__title" onClick={() => env.openAlert(a.id)}>
          {alertHeadline(tr, a, env.rules)}
        </button>
        {main && <div class="arow__desc">{main}</div>}
      </td>
      <td>{a.category ? tr.tx('cat', a.category) : '—'}</td>
      <td>{areaName(tr, env.places, env.districts, a.refDistrict ?? a.areaServed)}</td>
      <td class="arow__who">
        <span>{orgName(tr, env.organisations, a.responsibleOrganisation)}</span>
        {level > 1 && <span class="tag tag--level">{tr.t('cmd.levelShort', { n: level })}</span>}
        {due !== undefined && (
          <div class={`arow__due${due < env.now ? ' is-late' : ''}`}>
            {tr.t('cmd.alerts.ackBy', {
              time: new Date(due).toLocaleTimeString(tr.lang === 'zh' ? 'zh-CN' : 'en-GB', {
                hour12: false,
              }),
            })}
          </div>
        )}
      </td>
      <td>
        <StatusPill kind="alert" status={a.status} />
      </td>
      <td class="arow__time">
        <time dateTime={a.dateIssued} title={new Date(a.dateIssued).toLocaleString()}>
          {relativeTime(tr, a.dateIssued, env.now)}
        </time>
      </td>
      <td class="arow__act" onClick={(e) => e.stopPropagation()}>
        {quick && (
          <button
            type="button"
            class="button button--small button--ghost"
            disabled={p.busy}
            data-action={quick}
            onClick={() => p.onAction(a, quick)}
          >
            {tr.t(`cmd.action.${quick}`)}
          </button>
        )}
      </td>
    </tr>
  );
}
