import { useI18n, type MessageKey } from '../i18n.js';
import type { Alert } from '../model.js';
import { CardState, StaleNotice } from '../sharing/card-state.js';
import type { AlertPage } from './command-model.js';
import type { AlertAction } from './command-model.js';
import { AlertRow } from './alert-row.js';
import type { Loadable } from '../sharing/use-loadable.js';

/** Props of the alert table. */
export interface AlertTableProps {
  page: Loadable<AlertPage<Alert>>;
  alerts: readonly Alert[];
  fresh: ReadonlySet<string>;
  selected: ReadonlySet<string>;
  busy?: string;
  onSelect: (ids: readonly string[], on: boolean) => void;
  onAction: (alert: Alert, action: AlertAction) => void;
  onRetry: () => void;
}

const HEADINGS: MessageKey[] = [
  'cmd.alerts.severity',
  'cmd.alerts.alert',
  'cmd.alerts.category',
  'cmd.alerts.area',
  'cmd.alerts.responsible',
  'cmd.alerts.status',
  'cmd.alerts.issued',
];

/** The alerts the filters select, newest first, each selectable for a bulk action. */
export function AlertTable(p: AlertTableProps) {
  const tr = useI18n();
  const all = p.page.value;
  const allSelected = p.alerts.length > 0 && p.alerts.every((a) => p.selected.has(a.id));
  return (
    <div class="card__body card__body--table">
      {all && p.page.error !== undefined && <StaleNotice error={p.page.error} />}
      {!all && !p.page.settled && <CardState kind="loading" />}
      {!all && p.page.settled && (
        <CardState kind="error" error={p.page.error} onRetry={p.onRetry} />
      )}
      {all && p.alerts.length === 0 && <CardState kind="empty" text={tr.t('cmd.alerts.empty')} />}
      {p.alerts.length > 0 && (
        <table class="table table--alerts" data-testid="command-alerts">
          <thead>
            <tr>
              <th class="arow__check">
                <input
                  type="checkbox"
                  checked={allSelected}
                  aria-label={tr.t('cmd.alerts.selectAll')}
                  onChange={(e) =>
                    p.onSelect(
                      p.alerts.map((a) => a.id),
                      (e.target as HTMLInputElement).checked,
                    )
                  }
                />
              </th>
              {HEADINGS.map((h) => (
                <th key={h}>{tr.t(h)}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {p.alerts.map((a) => (
              <AlertRow
                key={a.id}
                alert={a}
                selected={p.selected.has(a.id)}
                fresh={p.fresh.has(a.id)}
                busy={p.busy === a.id}
                onSelect={(id, on) => p.onSelect([id], on)}
                onAction={p.onAction}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
