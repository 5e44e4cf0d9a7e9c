import type { ApiClient } from '../api.js';
import { useI18n } from '../i18n.js';
import { PhaseBadge } from './badges.js';
import { CardState } from './card-state.js';
import { dutyText, formatDay, formatMoment } from './format.js';
import { grantPhase } from './grant-phase.js';
import { CloseIcon } from './icons.js';
import { organisationName } from './names.js';
import type { Grant, Organisation } from './sharing-model.js';
import { useEscape } from './use-escape.js';
import { useLoadable } from './use-loadable.js';

/** Props of the grant drawer. */
export interface GrantDrawerProps {
  api: ApiClient;
  grant: Grant;
  datasetTitle: string;
  organisations: ReadonlyMap<string, Organisation>;
  now: number;
  onClose: () => void;
}

/** One grant in full: its terms, its history and its ODRL agreement. */
export function GrantDrawer({ api, grant: g, ...p }: GrantDrawerProps) {
  const tr = useI18n();
  useEscape(p.onClose);
  const odrl = useLoadable(() => api.grantOdrl(g.id), [api, g.id, g.status]);
  const org = (id: string) => organisationName(p.organisations, id, tr.lang);
  const when = (at: string) => formatMoment(tr, at, p.now);
  const history: [string, string | undefined, string | undefined][] = [
    [tr.t('share.drawer.requested'), g.requestedBy, g.requestedAt],
    [tr.t('share.drawer.decided'), g.decidedBy, g.decidedAt],
    [tr.t('share.drawer.revoked'), g.revokedBy, g.revokedAt],
  ];
  return (
    <aside class="drawer glass" data-testid="grant-drawer" aria-label={tr.t('share.drawer.title')}>
      <header class="drawer__head">
        <div>
          <div class="drawer__kicker">{tr.t('share.drawer.title')}</div>
          <h2 class="drawer__title">{p.datasetTitle}</h2>
          <code class="grant__id">{g.id}</code>
        </div>
        <button
          type="button"
          class="icon-button"
          aria-label={tr.t('share.close')}
          title={tr.t('share.close')}
          onClick={p.onClose}
        >
          <CloseIcon />
        </button>
      </header>
      <div class="drawer__body">
        <PhaseBadge phase={grantPhase(g, p.now)} />
        <dl class="facts">
          <dt>{tr.t('share.grants.parties')}</dt>
          <dd>{`${org(g.assignee)} → ${org(g.assigner)}`}</dd>
          <dt>{tr.t('share.grants.purpose')}</dt>
          <dd>{tr.tx('purpose', g.purpose, g.purpose)}</dd>
          <dt>{tr.t('share.form.attributes')}</dt>
          <dd class="mono">{g.attributes.join(', ')}</dd>
          <dt>{tr.t('share.form.rowFilter')}</dt>
          <dd class="mono">{g.rowFilter ?? tr.t('share.drawer.allRows')}</dd>
          <dt>{tr.t('share.grants.validity')}</dt>
          <dd>{`${formatDay(tr, g.validFrom)} – ${formatDay(tr, g.validUntil)}`}</dd>
          <dt>{tr.t('share.form.duties')}</dt>
          <dd>{g.duties.map((d) => dutyText(tr, d)).join(' · ') || '—'}</dd>
          <dt>{tr.t('share.form.prohibitions')}</dt>
          <dd>{g.prohibitions.map((x) => tr.tx('prohibition', x, x)).join(' · ') || '—'}</dd>
          {history.map(
            ([label, by, at]) =>
              at && [
                <dt key={`${label}-t`}>{label}</dt>,
                <dd key={`${label}-d`}>
                  {when(at)} <code class="muted">{by}</code>
                </dd>,
              ],
          )}
        </dl>
        <div class="panel-subtitle">{tr.t('share.drawer.odrl')}</div>
        {odrl.value ? (
          <pre class="code" data-testid="odrl">
            {JSON.stringify(odrl.value, null, 2)}
          </pre>
        ) : (
          <CardState kind={odrl.settled ? 'error' : 'loading'} error={odrl.error} />
        )}
      </div>
    </aside>
  );
}
