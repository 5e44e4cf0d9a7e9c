import { ApiError } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { CardState, StaleNotice } from './card-state.js';
import { errorText } from './error-text.js';
import { formatMoment } from './format.js';
import { organisationName } from './names.js';
import type { AccessRecord, Grant, Me, Organisation } from './sharing-model.js';
import type { AccessLogData } from './use-access-log.js';

/** Props of the access log. */
export interface AccessLogProps {
  log: AccessLogData;
  organisations: ReadonlyMap<string, Organisation>;
  grants: ReadonlyMap<string, Grant>;
  me: Me | undefined;
  now: number;
  onOpenGrant: (grant: Grant) => void;
  onRetry: () => void;
}

const HEADINGS: MessageKey[] = [
  'share.log.time',
  'share.log.who',
  'share.log.organisation',
  'share.log.purpose',
  'share.log.grants',
  'share.log.resource',
  'share.log.result',
  'share.log.records',
];

/**
 * "Who read our data": the accesses to the caller's datasets, newest first, a page at a time;
 * by default without the organisation's own reads (its own cockpit reads its data all the time).
 */
export function AccessLog(p: AccessLogProps) {
  const tr = useI18n();
  const { log, othersOnly } = p.log;
  const records: AccessRecord[] | undefined = log.value?.records;
  // The server leaves out an owner's own reads; the operator's log has no one owner.
  const filterable = p.me !== undefined && p.me.kind !== 'operator';
  const unavailable = log.settled && log.error === undefined && log.value === undefined;
  // Not allowed to read the log is no failure to retry: the server's reason is the answer.
  const forbidden = log.error instanceof ApiError && log.error.status === 403;
  const denied = records?.filter((r) => r.result === 'deny').length ?? 0;
  return (
    <section class="card glass sharing__log" data-testid="sharing-log">
      <header class="card__head">
        <h2 class="panel-title">
          {tr.t(p.me?.kind === 'operator' ? 'share.log.titleOperator' : 'share.log.title')}
          <span class="badge">{records?.length ?? '–'}</span>
          {denied > 0 && (
            <span class="badge badge--alert">{tr.t('share.log.denied', { n: denied })}</span>
          )}
        </h2>
        <div class="card__tools">
          <span class="card__hint">{tr.t('share.log.hint')}</span>
          {filterable && records && (
            <div class="segmented segmented--small" role="group" data-testid="log-filter">
              {[true, false].map((others) => (
                <button
                  key={String(others)}
                  type="button"
                  class={othersOnly === others ? 'is-active' : ''}
                  aria-pressed={othersOnly === others}
                  data-others={String(others)}
                  onClick={() => p.log.setOthersOnly(others)}
                >
                  {tr.t(others ? 'share.log.others' : 'share.log.everyone')}
                </button>
              ))}
            </div>
          )}
        </div>
      </header>
      <div class="card__body card__body--table">
        {records && log.error !== undefined && <StaleNotice error={log.error} />}
        {!log.settled && <CardState kind="loading" />}
        {!records && forbidden && <CardState kind="empty" text={errorText(tr, log.error)} />}
        {!records && log.settled && log.error !== undefined && !forbidden && (
          <CardState kind="error" error={log.error} onRetry={p.onRetry} />
        )}
        {unavailable && <CardState kind="empty" text={tr.t('share.log.unavailable')} />}
        {records?.length === 0 && (
          <CardState
            kind="empty"
            text={tr.t(filterable && othersOnly ? 'share.log.emptyOthers' : 'share.log.empty')}
          />
        )}
        {records && records.length > 0 && (
          <table class="table table--dense">
            <thead>
              <tr>
                {HEADINGS.map((h) => (
                  <th key={h} class={h === 'share.log.records' ? 'num' : undefined}>
                    {tr.t(h)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr
                  key={r.seq}
                  data-testid="access-row"
                  data-seq={r.seq}
                  class={`access access--${r.result}`}
                >
                  <td class="access__time">{formatMoment(tr, r.at, p.now)}</td>
                  <td>
                    <code class="access__actor">{r.actor}</code>
                  </td>
                  <td>
                    {r.organisation
                      ? organisationName(p.organisations, r.organisation, tr.lang)
                      : '—'}
                  </td>
                  <td>{r.purpose ? tr.tx('purpose', r.purpose, r.purpose) : '—'}</td>
                  <td>
                    {(r.grants ?? []).length === 0 && <span class="muted">—</span>}
                    {(r.grants ?? []).map((id) => {
                      const grant = p.grants.get(id);
                      return grant ? (
                        <button
                          key={id}
                          type="button"
                          class="attr-chip attr-chip--link"
                          title={id}
                          onClick={() => p.onOpenGrant(grant)}
                        >
                          {id.slice(0, 8)}
                        </button>
                      ) : (
                        <code key={id} class="attr-chip" title={id}>
                          {id.slice(0, 8)}
                        </code>
                      );
                    })}
                  </td>
                  <td class="access__resource">
                    <span class="access__action">{tr.tx('action', r.action, r.action)}</span>
                    <code title={r.resource}>{r.resource}</code>
                  </td>
                  <td>
                    <span class={`result result--${r.result}`}>
                      {tr.t(r.result === 'allow' ? 'share.log.allow' : 'share.log.deny')}
                    </span>
                    {r.result === 'deny' && r.reason && (
                      <span class="access__reason">{tr.tx('reason', r.reason, r.reason)}</span>
                    )}
                  </td>
                  <td class="num">{r.records.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {log.value?.next !== undefined && (
          <div class="card__more">
            {p.log.moreError !== undefined && !p.log.loadingMore && (
              <span class="card__more-error" role="alert">
                {errorText(tr, p.log.moreError)}
              </span>
            )}
            <button
              type="button"
              class="button button--ghost button--small"
              disabled={p.log.loadingMore}
              data-testid="log-more"
              onClick={p.log.showMore}
            >
              {tr.t(p.log.loadingMore ? 'share.loading' : 'share.log.more')}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
