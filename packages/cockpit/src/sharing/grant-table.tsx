import { useState } from 'preact/hooks';
import { useI18n, type MessageKey } from '../i18n.js';
import { CardState, StaleNotice } from './card-state.js';
import { errorText } from './error-text.js';
import {
  actionsFor,
  GRANT_FILTERS,
  grantPhase,
  matchesFilter,
  sortGrants,
  type GrantFilter,
} from './grant-phase.js';
import { GrantRow } from './grant-row.js';
import { datasetTitle } from './names.js';
import type { Dataset, Grant, Me, Organisation } from './sharing-model.js';
import type { GrantActions } from './use-grant-actions.js';
import type { Loadable } from './use-loadable.js';

/** Props of the grant table. */
export interface GrantTableProps {
  grants: Loadable<Grant[]>;
  datasets: ReadonlyMap<string, Dataset>;
  organisations: ReadonlyMap<string, Organisation>;
  me: Me | undefined;
  actions: GrantActions;
  now: number;
  onOpen: (grant: Grant) => void;
  onRetry: () => void;
}

const HEADINGS: MessageKey[] = [
  'share.grants.dataset',
  'share.grants.parties',
  'share.grants.purpose',
  'share.grants.scope',
  'share.grants.validity',
  'share.grants.terms',
  'share.grants.status',
];

/** The grants between organisations, filterable by phase, with the owner's actions. */
export function GrantTable(p: GrantTableProps) {
  const tr = useI18n();
  const [filter, setFilter] = useState<GrantFilter>('all');
  const all = p.grants.value;
  const phases = (all ?? []).map((g) => grantPhase(g, p.now));
  const count = (f: GrantFilter) => phases.filter((ph) => matchesFilter(ph, f)).length;
  const shown = sortGrants(all ?? [], p.now).filter((g) =>
    matchesFilter(grantPhase(g, p.now), filter),
  );
  const message = p.actions.message;
  return (
    <section class="card glass sharing__grants" data-testid="sharing-grants">
      <header class="card__head">
        <h2 class="panel-title">
          {tr.t('share.grants.title')}
          <span class={`badge${count('requested') > 0 ? ' badge--warn' : ''}`}>
            {all?.length ?? '–'}
          </span>
        </h2>
        <div class="segmented segmented--small" role="group" data-testid="grant-filter">
          {GRANT_FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              class={filter === f ? 'is-active' : ''}
              aria-pressed={filter === f}
              data-filter={f}
              onClick={() => setFilter(f)}
            >
              {tr.t(`share.filter.${f}`)}
              {f !== 'all' && count(f) > 0 && <span class="segmented__count">{count(f)}</span>}
            </button>
          ))}
        </div>
      </header>
      {message && (
        <div
          class={`notice notice--${message.tone}`}
          role={message.tone === 'bad' ? 'alert' : 'status'}
          data-testid="grant-message"
        >
          <span>
            {message.tone === 'ok'
              ? tr.t(`share.done.${message.action}`, {
                  dataset: datasetTitle(p.datasets, message.grant.target),
                })
              : errorText(tr, message.error)}
          </span>
          <button type="button" class="notice__close" onClick={p.actions.dismiss}>
            ×
          </button>
        </div>
      )}
      <div class="card__body card__body--table">
        {all && p.grants.error !== undefined && <StaleNotice error={p.grants.error} />}
        {!all && !p.grants.settled && <CardState kind="loading" />}
        {!all && p.grants.settled && (
          <CardState kind="error" error={p.grants.error} onRetry={p.onRetry} />
        )}
        {all && shown.length === 0 && (
          <CardState
            kind="empty"
            text={tr.t(filter === 'all' ? 'share.grants.empty' : 'share.grants.emptyFilter')}
          />
        )}
        {shown.length > 0 && (
          <table class="table table--grants">
            <thead>
              <tr>
                {HEADINGS.map((h) => (
                  <th key={h}>{tr.t(h)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((g) => (
                <GrantRow
                  key={g.id}
                  grant={g}
                  datasetTitle={datasetTitle(p.datasets, g.target)}
                  organisations={p.organisations}
                  actions={p.me ? actionsFor(p.me, g, p.now) : []}
                  busy={p.actions.busy === g.id}
                  now={p.now}
                  onAction={p.actions.ask}
                  onOpen={p.onOpen}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
