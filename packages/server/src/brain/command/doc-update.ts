import { CityError } from '../../core/index.js';
import type { DocumentCollection } from '../../store/index.js';

/** What a compare-and-set update did. */
export interface DocChange<T> {
  before: T;
  after: T;
  /** False when `change` left the document as it was. */
  changed: boolean;
}

const MAX_ATTEMPTS = 20;

/**
 * Updates one document with compare-and-set, so that nodes sharing a store never lose an
 * update: `change` gets the current document (it may run several times; it must not modify it)
 * and returns the next one, `undefined` to leave it, or throws a CityError to refuse.
 * Throws `missing()` when the document does not exist.
 */
export async function updateDoc<T>(
  docs: DocumentCollection<T>,
  id: string,
  change: (current: T) => T | undefined,
  missing: () => CityError,
): Promise<DocChange<T>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const before = await docs.get(id);
    if (before === undefined) throw missing();
    const after = change(before);
    if (after === undefined) return { before, after: before, changed: false };
    if (await docs.replaceIf(id, after, before)) return { before, after, changed: true };
  }
  throw new CityError('ServiceUnavailable', `${id} is being changed by others: try again`);
}
