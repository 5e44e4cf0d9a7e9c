import { useI18n } from '../i18n.js';
import { ClassificationBadge } from './badges.js';
import { CardState, StaleNotice } from './card-state.js';
import { organisationName } from './names.js';
import type { Dataset, Me, Organisation } from './sharing-model.js';
import type { Loadable } from './use-loadable.js';

/** Props of the dataset list. */
export interface DatasetListProps {
  datasets: Loadable<Dataset[]>;
  organisations: ReadonlyMap<string, Organisation>;
  me: Me | undefined;
  /** The dataset chosen in the request form. */
  selected: string;
  /** Chooses a dataset to request (not offered for the caller's own). */
  onPick: (id: string) => void;
  onRetry: () => void;
}

/** The declared datasets: title, owner and classification; a click prepares a request. */
export function DatasetList(p: DatasetListProps) {
  const tr = useI18n();
  const list = p.datasets.value;
  return (
    <section class="card glass sharing__datasets" data-testid="sharing-datasets">
      <header class="card__head">
        <h2 class="panel-title">
          {tr.t('share.datasets.title')}
          <span class="badge">{list?.length ?? '–'}</span>
        </h2>
      </header>
      <div class="card__body">
        {list && p.datasets.error !== undefined && <StaleNotice error={p.datasets.error} />}
        {!list && !p.datasets.settled && <CardState kind="loading" />}
        {!list && p.datasets.settled && (
          <CardState kind="error" error={p.datasets.error} onRetry={p.onRetry} />
        )}
        {list?.length === 0 && <CardState kind="empty" text={tr.t('share.datasets.empty')} />}
        {list && list.length > 0 && (
          <ul class="dataset-list">
            {list.map((d) => {
              const ours = p.me?.kind !== 'operator' && d.owner === p.me?.organisation;
              return (
                <li key={d.id}>
                  <button
                    type="button"
                    class={`dataset${p.selected === d.id ? ' is-selected' : ''}`}
                    disabled={ours}
                    title={ours ? tr.t('share.datasets.ours') : tr.t('share.datasets.pick')}
                    onClick={() => p.onPick(d.id)}
                  >
                    <span class="dataset__top">
                      <span class="dataset__title">{d.title ?? d.id}</span>
                      <ClassificationBadge value={d.classification} />
                    </span>
                    <span class="dataset__meta">
                      <span class="dataset__owner">
                        {organisationName(p.organisations, d.owner, tr.lang)}
                      </span>
                      {ours && <span class="dataset__ours">{tr.t('share.datasets.oursTag')}</span>}
                      {d.title && <code class="dataset__id">{d.id}</code>}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
