import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { isOpenAlert, type Alert } from '../model.js';
import { CardState } from '../sharing/card-state.js';
import { formatMoment } from '../sharing/format.js';
import { CloseIcon } from '../sharing/icons.js';
import { useEscape } from '../sharing/use-escape.js';
import { useLoadable } from '../sharing/use-loadable.js';
import { AlertActions } from './alert-actions.js';
import { AlertComments } from './alert-comments.js';
import { newerAlert } from './alert-list.js';
import { useCommandEnv } from './command-context.js';
import { alertHeadline, areaName, descriptions, orgName } from './command-names.js';
import { SeverityChip, StatusPill } from './command-parts.js';
import { EvidenceChart } from './evidence-chart.js';
import { EvidenceTable } from './evidence-table.js';
import { HistoryList } from './history-list.js';

/** Props of the alert drawer. */
export interface AlertDrawerProps {
  id: string;
  /** The alert as the list or the live stream last saw it. */
  known: Alert | undefined;
  onClose: () => void;
}

/** One alert in full: what, where, who is responsible, its evidence, history and comments. */
export function AlertDrawer({ id, known, onClose }: AlertDrawerProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  useEscape(onClose);
  const [version, setVersion] = useState(0);
  const [answered, setAnswered] = useState<Alert>();
  const loaded = useLoadable(() => env.api.alert(id), [env.api, id, version]);
  const copies = [loaded.value, answered?.id === id ? answered : undefined, known].filter(
    (a): a is Alert => a !== undefined,
  );
  const alert = copies.reduce<Alert | undefined>((a, b) => (a ? newerAlert(a, b) : b), undefined);

  return (
    <aside class="drawer drawer--wide glass" data-testid="alert-drawer" data-alert-id={id}>
      <header class="drawer__head">
        <div>
          <div class="drawer__kicker">{tr.t('cmd.alert.kicker')}</div>
          <h2 class="drawer__title">{alert ? alertHeadline(tr, alert, env.rules) : '…'}</h2>
          <code class="grant__id">{id}</code>
        </div>
        <button
          type="button"
          class="icon-button"
          aria-label={tr.t('share.close')}
          title={tr.t('share.close')}
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </header>
      <div class="drawer__body">
        {!alert && <CardState kind={loaded.settled ? 'error' : 'loading'} error={loaded.error} />}
        {alert && (
          <AlertDetail
            alert={alert}
            onChanged={setAnswered}
            onReload={() => setVersion((v) => v + 1)}
          />
        )}
      </div>
    </aside>
  );
}

function AlertDetail({
  alert: a,
  ...p
}: {
  alert: Alert;
  onChanged: (a: Alert) => void;
  onReload: () => void;
}) {
  const tr = useI18n();
  const env = useCommandEnv();
  const text = descriptions(tr, a);
  const title = alertHeadline(tr, a, env.rules);
  const when = (at: string) => formatMoment(tr, at, env.now);
  const chain = a.escalationChain ?? [];
  const level = a.escalationLevel ?? 1;
  return (
    <>
      <div class="drawer__chips">
        <SeverityChip severity={a.severity} />
        <StatusPill kind="alert" status={a.status} />
        <span class={`tag tag--level${level > 1 ? ' is-up' : ''}`} data-testid="alert-level">
          {chain.length > 0
            ? tr.t('cmd.levelOf', { n: level, of: chain.length })
            : tr.t('cmd.level', { n: level })}
        </span>
      </div>
      {text.main && (
        <p class="drawer__lead" data-testid="alert-description">
          {text.main}
        </p>
      )}
      {text.other && <p class="drawer__other">{text.other}</p>}
      <dl class="facts">
        <dt>{tr.t('cmd.alerts.category')}</dt>
        <dd>
          {[a.category && tr.tx('cat', a.category), a.subCategory && tr.tx('sub', a.subCategory)]
            .filter(Boolean)
            .join(' · ') || '—'}
        </dd>
        <dt>{tr.t('cmd.alerts.area')}</dt>
        <dd>{areaName(tr, env.places, env.districts, a.refDistrict ?? a.areaServed)}</dd>
        <dt>{tr.t('cmd.alerts.responsible')}</dt>
        <dd data-testid="alert-responsible">
          {orgName(tr, env.organisations, a.responsibleOrganisation)}
        </dd>
        {chain.length > 1 && [
          <dt key="c-t">{tr.t('cmd.alert.chain')}</dt>,
          <dd key="c-d" class="chain">
            {chain.map((s, i) => (
              <span
                key={s.organisation}
                class={`chain__step${i + 1 === level ? ' is-current' : ''}`}
              >
                {orgName(tr, env.organisations, s.organisation)}
              </span>
            ))}
          </dd>,
        ]}
        {a.assignee && [
          <dt key="a-t">{tr.t('cmd.alert.assignee')}</dt>,
          <dd key="a-d">{orgName(tr, env.organisations, a.assignee)}</dd>,
        ]}
        {a.acknowledgeBy &&
          a.status === 'raised' && [
            <dt key="k-t">{tr.t('cmd.alert.ackBy')}</dt>,
            <dd key="k-d" class={Date.parse(a.acknowledgeBy) < env.now ? 'is-late' : ''}>
              {when(a.acknowledgeBy)}
            </dd>,
          ]}
        <dt>{tr.t('cmd.alerts.issued')}</dt>
        <dd>{when(a.dateIssued)}</dd>
        {a.alertSource && [
          <dt key="s-t">{tr.t('alerts.source')}</dt>,
          <dd key="s-d" class="mono">
            {a.alertSource}
          </dd>,
        ]}
        {a.rule && [
          <dt key="r-t">{tr.t('cmd.alert.rule')}</dt>,
          <dd key="r-d">{env.rules.get(a.rule)?.name ?? a.rule}</dd>,
        ]}
        {a.occurrences !== undefined &&
          a.occurrences > 1 && [
            <dt key="o-t">{tr.t('cmd.alert.occurrences')}</dt>,
            <dd key="o-d">{a.occurrences}</dd>,
          ]}
        {a.incident && [
          <dt key="i-t">{tr.t('cmd.alert.incident')}</dt>,
          <dd key="i-d">
            <button type="button" class="link" onClick={() => env.openIncident(a.incident!)}>
              {tr.t('cmd.alert.openIncident')}
            </button>
          </dd>,
        ]}
      </dl>
      <div class="panel-subtitle">{tr.t('cmd.alert.actions')}</div>
      <AlertActions alert={a} title={title} onChanged={p.onChanged} />
      {isOpenAlert(a) && (
        <button
          type="button"
          class="button button--ghost button--small drawer__dispatch"
          data-action="dispatch"
          onClick={() => env.dispatchFrom({ kind: 'alert', id: a.id, title })}
        >
          {tr.t('cmd.dispatch.fromAlert')}
        </button>
      )}
      <div class="panel-subtitle">{tr.t('cmd.alert.evidence')}</div>
      <EvidenceChart alert={a} />
      <EvidenceTable alert={a} />
      <div class="panel-subtitle">{tr.t('cmd.history.title')}</div>
      <HistoryList entries={a.history ?? []} statusPrefix="astatus" />
      <div class="panel-subtitle">
        {tr.t('cmd.comments.title')}
        <span class="panel-subtitle__attr">{a.comments?.length ?? 0}</span>
      </div>
      <AlertComments alert={a} onAdded={p.onReload} />
    </>
  );
}
