import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { isOpenAlert, type Alert, type KeyValuesEntity, type Rule } from '../model.js';
import { AlertItem } from './alert-item.js';

/** Props of the alert feed. */
export interface AlertFeedProps {
  alerts: readonly Alert[];
  fresh: ReadonlySet<string>;
  rules: ReadonlyMap<string, Rule>;
  districts: readonly KeyValuesEntity[];
  now: number;
  selectedSource?: string;
  onPick: (alert: Alert) => void;
}

/** Side panel listing alerts, newest first, live. */
export function AlertFeed(p: AlertFeedProps) {
  const tr = useI18n();
  const [onlyOpen, setOnlyOpen] = useState(false);
  const openAlerts = p.alerts.filter(isOpenAlert);
  const open = openAlerts.length;
  const shown = onlyOpen ? openAlerts : p.alerts;
  return (
    <aside class="feed glass" data-testid="alert-feed">
      <header class="feed__head">
        <div class="panel-title">
          {tr.t('alerts.title')}
          <span class={`badge${open > 0 ? ' badge--alert' : ''}`}>{open}</span>
        </div>
        <div class="segmented segmented--small">
          <button
            type="button"
            class={onlyOpen ? 'is-active' : ''}
            onClick={() => setOnlyOpen(true)}
          >
            {tr.t('alerts.open')}
          </button>
          <button
            type="button"
            class={onlyOpen ? '' : 'is-active'}
            onClick={() => setOnlyOpen(false)}
          >
            {tr.t('alerts.all')}
          </button>
        </div>
      </header>
      <ol class="feed__list">
        {shown.length === 0 && (
          <li class="feed__empty">{tr.t(onlyOpen ? 'alerts.emptyOpen' : 'alerts.empty')}</li>
        )}
        {shown.map((a) => (
          <AlertItem
            key={a.id}
            alert={a}
            rule={a.rule ? p.rules.get(a.rule) : undefined}
            districts={p.districts}
            now={p.now}
            fresh={p.fresh.has(a.id)}
            selected={!!a.alertSource && a.alertSource === p.selectedSource}
            onPick={p.onPick}
          />
        ))}
      </ol>
    </aside>
  );
}
