import { parseQ, type QExpression } from '../../core/index.js';
import { inForce, PURPOSES, type Dataset, type Grant, type Purpose } from '../grants/index.js';
import type { Principal } from '../identity/index.js';

/** What one grant in force lets its assignee read of a dataset. */
export interface GrantRule {
  grant: string;
  attributes: ReadonlySet<string>;
  /** The grant's row filter (NGSI-LD q) and its parsed form; none: every row. */
  rowFilter?: string;
  filter?: QExpression;
}

/** What a principal may read of one dataset for one purpose, and why. */
export type ReadAccess =
  | { kind: 'all'; reason: 'operator' | 'owner' | 'public' }
  | { kind: 'none'; reason: 'undeclared-dataset' | 'no-purpose' | 'unknown-purpose' | 'no-grant' }
  | { kind: 'granted'; rules: GrantRule[] };

/** True for a purpose of the controlled list. */
export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

/**
 * The read decision for one dataset (default deny): the operator and the owner read all of
 * it, anyone authenticated reads a public dataset, anyone else what the grants in force for
 * their organisation and the stated purpose allow. An undeclared entity type is the
 * operator's only.
 */
export function readAccess(
  principal: Pick<Principal, 'kind' | 'organisation'>,
  purpose: string | undefined,
  dataset: Dataset | undefined,
  grants: readonly Grant[],
  now: number,
): ReadAccess {
  if (principal.kind === 'operator') return { kind: 'all', reason: 'operator' };
  if (!dataset) return { kind: 'none', reason: 'undeclared-dataset' };
  if (principal.organisation !== undefined && dataset.owner === principal.organisation)
    return { kind: 'all', reason: 'owner' };
  if (dataset.classification === 'public') return { kind: 'all', reason: 'public' };
  if (purpose === undefined) return { kind: 'none', reason: 'no-purpose' };
  if (!isPurpose(purpose)) return { kind: 'none', reason: 'unknown-purpose' };
  const rules = grants
    .filter(
      (g) =>
        principal.organisation !== undefined &&
        g.assignee === principal.organisation &&
        g.target === dataset.id &&
        g.purpose === purpose &&
        inForce(g, now),
    )
    .map((g): GrantRule => ({
      grant: g.id,
      attributes: new Set(g.attributes),
      ...(g.rowFilter !== undefined && { rowFilter: g.rowFilter, filter: parseQ(g.rowFilter) }),
    }));
  return rules.length > 0 ? { kind: 'granted', rules } : { kind: 'none', reason: 'no-grant' };
}
