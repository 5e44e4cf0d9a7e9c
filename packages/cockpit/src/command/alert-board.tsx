import { useMemo, useState } from 'preact/hooks';
import type { CockpitStore } from '../cockpit-store.js';
import { useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { AlertFilters } from './alert-filters.js';
import { AlertTable } from './alert-table.js';
import { BulkBar, BulkResults, type BulkReport } from './bulk-bar.js';
import { useCommandEnv } from './command-context.js';
import type { AlertAction, AlertQuery } from './command-model.js';
import { alertHeadline } from './command-names.js';
import { ActionNotice } from './command-parts.js';
import { useAction } from './use-action.js';
import type { AlertList } from './use-alert-list.js';

/** Props of the alert board. */
export interface AlertBoardProps {
  list: AlertList;
  query: AlertQuery;
  onQuery: (query: AlertQuery) => void;
  store: CockpitStore;
}

/** Alerts with their filters, quick actions, and bulk actions on a selection. */
export function AlertBoard({ list, query, onQuery, store }: AlertBoardProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [report, setReport] = useState<BulkReport>();
  const runner = useAction(env.changed);
  const titles = useMemo(
    () => new Map(list.alerts.map((a) => [a.id, alertHeadline(tr, a, env.rules)])),
    [list.alerts, tr, env.rules],
  );
  const categories = useMemo(() => {
    const seen = new Set<string>(['environment', 'traffic', 'health', 'security', 'energy']);
    for (const r of env.rules.values()) if (r.category) seen.add(r.category);
    for (const a of list.alerts) if (a.category) seen.add(a.category);
    return [...seen].sort();
  }, [env.rules, list.alerts]);
  // A selection is of alerts on screen: one that left the list leaves the selection.
  const chosen = list.alerts.filter((a) => selected.has(a.id));

  const select = (ids: readonly string[], on: boolean): void => {
    const next = new Set(selected);
    for (const id of ids)
      if (on) next.add(id);
      else next.delete(id);
    setSelected(next);
  };
  const quick = (alert: Alert, action: AlertAction): void =>
    void runner.run(
      alert.id,
      () => env.api.actOnAlert(alert.id, action),
      (changed) =>
        tr.t('cmd.done.alert', {
          title: titles.get(alert.id) ?? alert.id,
          status: tr.tx('astatus', changed.status),
        }),
    );

  return (
    <section class="card glass command__main" data-testid="alert-board">
      <header class="card__head">
        <h2 class="panel-title">
          {tr.t('cmd.alerts.title')}
          <span
            class={`badge${list.alerts.length > 0 ? ' badge--alert' : ''}`}
            data-testid="alert-total"
          >
            {list.page.value ? list.alerts.length : '–'}
          </span>
        </h2>
        {list.page.value && list.page.value.total > list.page.value.items.length && (
          <span class="card__hint">
            {tr.t('cmd.alerts.more', {
              n: list.page.value.items.length,
              total: list.page.value.total,
            })}
          </span>
        )}
      </header>
      <AlertFilters
        query={query}
        onChange={(q) => {
          onQuery(q);
          setSelected(new Set());
        }}
        categories={categories}
        districts={env.districts}
      />
      {chosen.length > 0 && (
        <BulkBar
          selected={chosen}
          titles={titles}
          onClear={() => setSelected(new Set())}
          onReport={(r) => {
            setReport(r);
            setSelected(new Set());
            list.reload();
            env.changed();
          }}
        />
      )}
      {report && <BulkResults report={report} onDismiss={() => setReport(undefined)} />}
      <ActionNotice runner={runner} testId="alert-board-notice" />
      <AlertTable
        page={list.page}
        alerts={list.alerts}
        fresh={store.freshAlerts}
        selected={selected}
        busy={runner.busy}
        onSelect={select}
        onAction={quick}
        onRetry={list.reload}
      />
    </section>
  );
}
