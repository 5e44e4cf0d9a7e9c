import { alertCategory, alertDescription, alertTitle, alertValue } from '../domain/alert-text.js';
import { severityColor } from '../domain/severity.js';
import { relativeTime, useI18n } from '../i18n.js';
import { findDistrict, placeName } from '../domain/places.js';
import type { Alert, KeyValuesEntity, Rule } from '../model.js';

/** Props of one alert row. */
export interface AlertItemProps {
  alert: Alert;
  rule: Rule | undefined;
  districts: readonly KeyValuesEntity[];
  now: number;
  fresh: boolean;
  selected: boolean;
  onPick: (alert: Alert) => void;
}

/** One alert in the feed: severity chip, condition, district, value and age. */
export function AlertItem({
  alert,
  rule,
  districts,
  now,
  fresh,
  selected,
  onPick,
}: AlertItemProps) {
  const tr = useI18n();
  const district = findDistrict(districts, alert.areaServed);
  const value = alertValue(alert, rule);
  const description = alertDescription(tr, alert);
  const classes = [
    'alert',
    `alert--${alert.status}`,
    fresh && 'is-fresh',
    selected && 'is-selected',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <li
      class={classes}
      style={{ '--sev': severityColor(alert.severity) }}
      data-testid="alert-item"
      data-alert-id={alert.id}
    >
      <button type="button" class="alert__button" onClick={() => onPick(alert)}>
        <div class="alert__top">
          <span class="chip">{tr.tx('sev', alert.severity)}</span>
          <span class="alert__title">{alertTitle(tr, alert, rule)}</span>
          <time
            class="alert__time"
            dateTime={alert.dateIssued}
            title={new Date(alert.dateIssued).toLocaleString()}
          >
            {relativeTime(tr, alert.dateIssued, now)}
          </time>
        </div>
        {alertCategory(tr, alert) && <div class="alert__category">{alertCategory(tr, alert)}</div>}
        {description && <p class="alert__description">{description}</p>}
        <div class="alert__meta">
          {district && <span class="alert__district">{placeName(district, tr.lang)}</span>}
          {!district && alert.areaServed && <span class="alert__district">{alert.areaServed}</span>}
          {value && <span class="alert__value">{value}</span>}
          <span class={`alert__status alert__status--${alert.status}`}>
            {tr.tx('status', alert.status)}
          </span>
        </div>
      </button>
    </li>
  );
}
