import { useState } from 'preact/hooks';
import { relativeTime, useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { severityColor } from '../domain/severity.js';
import { CardState, StaleNotice } from '../sharing/card-state.js';
import type { Loadable } from '../sharing/use-loadable.js';
import { useCommandEnv } from './command-context.js';
import type { Incident, IncidentStatus, Task } from './command-model.js';
import { incidentTitle, orgName } from './command-names.js';
import { StatusPill } from './command-parts.js';
import { IncidentDetail } from './incident-detail.js';

/** Props of the incident board. */
export interface IncidentBoardProps {
  incidents: Loadable<Incident[]>;
  tasks: readonly Task[];
  /** Alerts the cockpit knows (listed or live), to show an incident's without asking again. */
  alerts: ReadonlyMap<string, Alert>;
  selected?: string;
  onSelect: (id: string) => void;
  onRetry: () => void;
}

type IncidentFilter = IncidentStatus | 'all';
const FILTERS: readonly IncidentFilter[] = ['open', 'resolved', 'closed', 'all'];

/** Incidents (alerts grouped by kind and area), newest first, and the one picked in full. */
export function IncidentBoard(p: IncidentBoardProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [filter, setFilter] = useState<IncidentFilter>('open');
  const all = p.incidents.value;
  const shown = (all ?? []).filter((i) => filter === 'all' || i.status === filter);
  const picked = all?.find((i) => i.id === p.selected) ?? shown[0];
  const count = (f: IncidentFilter) =>
    (all ?? []).filter((i) => f === 'all' || i.status === f).length;
  return (
    <div class="command__split">
      <section class="card glass command__list" data-testid="incident-list">
        <header class="card__head">
          <h2 class="panel-title">
            {tr.t('cmd.incidents.title')}
            <span class="badge">{all?.length ?? '–'}</span>
          </h2>
          <div class="segmented segmented--small" role="tablist">
            {FILTERS.map((f) => (
              <button
                key={f}
                type="button"
                role="tab"
                class={filter === f ? 'is-active' : ''}
                aria-selected={filter === f}
                onClick={() => setFilter(f)}
              >
                {f === 'all' ? tr.t('share.filter.all') : tr.tx('istatus', f)}
                {f !== 'all' && count(f) > 0 && <span class="segmented__count">{count(f)}</span>}
              </button>
            ))}
          </div>
        </header>
        <div class="card__body">
          {all && p.incidents.error !== undefined && <StaleNotice error={p.incidents.error} />}
          {!all && (
            <CardState
              kind={p.incidents.settled ? 'error' : 'loading'}
              error={p.incidents.error}
              onRetry={p.onRetry}
            />
          )}
          {all && shown.length === 0 && (
            <CardState kind="empty" text={tr.t('cmd.incidents.empty')} />
          )}
          <ul class="pick-list">
            {shown.map((i) => {
              const tasks = p.tasks.filter((t) => t.incident === i.id).length;
              return (
                <li key={i.id}>
                  <button
                    type="button"
                    class={`pick${picked?.id === i.id ? ' is-selected' : ''}`}
                    style={{ '--sev': severityColor(i.severity) }}
                    data-testid="incident-item"
                    data-incident-id={i.id}
                    onClick={() => p.onSelect(i.id)}
                  >
                    <div class="pick__top">
                      <span class="pick__title">
                        {incidentTitle(tr, env.places, env.districts, i)}
                      </span>
                      <StatusPill kind="incident" status={i.status} />
                    </div>
                    <div class="pick__meta">
                      <span>{tr.t('cmd.incidents.alerts', { n: i.alerts.length })}</span>
                      <span>{tr.t('cmd.incidents.tasks', { n: tasks })}</span>
                      <span>{orgName(tr, env.organisations, i.responsibleOrganisation)}</span>
                      <time dateTime={i.lastAlertAt}>
                        {relativeTime(tr, i.lastAlertAt, env.now)}
                      </time>
                    </div>
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      </section>
      {picked ? (
        <IncidentDetail
          key={picked.id}
          incident={picked}
          tasks={p.tasks.filter((t) => t.incident === picked.id)}
          alerts={p.alerts}
        />
      ) : (
        <section class="card glass command__detail">
          <CardState kind="empty" text={tr.t('cmd.incidents.pick')} />
        </section>
      )}
    </div>
  );
}
