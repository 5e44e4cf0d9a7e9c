import { useI18n } from '../i18n.js';
import { ALERT_STATUSES, SEVERITIES, OPEN_ALERT_STATUSES, type KeyValuesEntity } from '../model.js';
import { placeName } from '../domain/places.js';
import type { AlertQuery } from './command-model.js';

/** The filters an operator starts with: alerts still being handled. */
export const DEFAULT_ALERT_QUERY: AlertQuery = { status: OPEN_ALERT_STATUSES, severity: [] };

/** Props of the alert filters. */
export interface AlertFiltersProps {
  query: AlertQuery;
  onChange: (query: AlertQuery) => void;
  categories: readonly string[];
  districts: readonly KeyValuesEntity[];
}

const toggled = <T,>(list: readonly T[], item: T): T[] =>
  list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

/** Status and severity chips (several at once), category and area pickers, and a reset. */
export function AlertFilters({ query, onChange, categories, districts }: AlertFiltersProps) {
  const tr = useI18n();
  const chip = (on: boolean, label: string, toggle: () => void, data: Record<string, string>) => (
    <button
      type="button"
      class={`filter-chip${on ? ' is-on' : ''}`}
      aria-pressed={on}
      onClick={toggle}
      {...data}
    >
      {label}
    </button>
  );
  return (
    <div class="filters" data-testid="alert-filters">
      <div class="filters__group" role="group" aria-label={tr.t('cmd.filter.status')}>
        <span class="filters__label">{tr.t('cmd.filter.status')}</span>
        {ALERT_STATUSES.map((s) =>
          chip(
            query.status.includes(s),
            tr.tx('astatus', s),
            () => onChange({ ...query, status: toggled(query.status, s) }),
            { 'data-status': s },
          ),
        )}
      </div>
      <div class="filters__group" role="group" aria-label={tr.t('cmd.filter.severity')}>
        <span class="filters__label">{tr.t('cmd.filter.severity')}</span>
        {[...SEVERITIES]
          .reverse()
          .map((s) =>
            chip(
              query.severity.includes(s),
              tr.tx('sev', s),
              () => onChange({ ...query, severity: toggled(query.severity, s) }),
              { 'data-severity': s },
            ),
          )}
      </div>
      <div class="filters__group">
        <select
          class="select"
          aria-label={tr.t('cmd.filter.category')}
          value={query.category ?? ''}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            onChange({ ...query, category: v || undefined });
          }}
        >
          <option value="">{tr.t('cmd.filter.anyCategory')}</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {tr.tx('cat', c)}
            </option>
          ))}
        </select>
        <select
          class="select"
          aria-label={tr.t('cmd.filter.area')}
          value={query.area ?? ''}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            onChange({ ...query, area: v || undefined });
          }}
        >
          <option value="">{tr.t('cmd.filter.anyArea')}</option>
          {districts.map((d) => (
            <option key={d.id} value={d.id}>
              {placeName(d, tr.lang)}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="button button--ghost button--small"
          onClick={() => onChange(DEFAULT_ALERT_QUERY)}
        >
          {tr.t('cmd.filter.reset')}
        </button>
      </div>
    </div>
  );
}
