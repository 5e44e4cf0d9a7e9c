import type { Lang } from '../i18n.js';
import type { Dataset, Organisation } from './sharing-model.js';

/** An organisation's name in `lang` (English when it has no Chinese one); its id if unknown. */
export function organisationName(
  organisations: ReadonlyMap<string, Organisation>,
  id: string,
  lang: Lang,
): string {
  const org = organisations.get(id);
  if (!org) return id;
  return lang === 'zh' ? (org.name.zh ?? org.name.en) : org.name.en;
}

/** A dataset's title, else its id. */
export function datasetTitle(datasets: ReadonlyMap<string, Dataset>, id: string): string {
  return datasets.get(id)?.title ?? id;
}

/** Indexes records by id. */
export function byId<T extends { id: string }>(items: readonly T[] | undefined): Map<string, T> {
  return new Map((items ?? []).map((i) => [i.id, i]));
}
