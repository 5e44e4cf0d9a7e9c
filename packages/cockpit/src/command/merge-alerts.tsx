import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { isOpenAlert, type Alert } from '../model.js';
import { errorText } from '../sharing/error-text.js';
import { useCommandEnv } from './command-context.js';
import type { Incident } from './command-model.js';
import { alertHeadline, areaName } from './command-names.js';
import { SeverityChip } from './command-parts.js';

/** Props of the merge picker. */
export interface MergeAlertsProps {
  incident: Incident;
  alerts: ReadonlyMap<string, Alert>;
  onDone: () => void;
}

/** Picks open alerts of other incidents (or none) to handle in this one. */
export function MergeAlerts({ incident, alerts, onDone }: MergeAlertsProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const candidates = [...alerts.values()].filter(
    (a) => isOpenAlert(a) && !incident.alerts.includes(a.id),
  );

  const merge = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await env.api.mergeAlerts(incident.id, [...chosen]);
      env.changed();
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="merge" data-testid="merge-alerts">
      {candidates.length === 0 ? (
        <p class="muted">{tr.t('cmd.merge.none')}</p>
      ) : (
        <ul class="merge__list">
          {candidates.map((a) => (
            <li key={a.id}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={chosen.has(a.id)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if ((e.target as HTMLInputElement).checked) next.add(a.id);
                    else next.delete(a.id);
                    setChosen(next);
                  }}
                />
                <SeverityChip severity={a.severity} />
                <span class="mini__title">{alertHeadline(tr, a, env.rules)}</span>
                <span class="muted">
                  {areaName(tr, env.places, env.districts, a.refDistrict ?? a.areaServed)}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <div class="act__buttons">
        <button
          type="button"
          class="button button--primary button--small"
          disabled={chosen.size === 0 || busy}
          onClick={() => void merge()}
        >
          {tr.t('cmd.merge.submit', { n: chosen.size })}
        </button>
        <button type="button" class="button button--ghost button--small" onClick={onDone}>
          {tr.t('share.cancel')}
        </button>
      </div>
      {error !== undefined && <p class="form__error">{errorText(tr, error)}</p>}
    </div>
  );
}
