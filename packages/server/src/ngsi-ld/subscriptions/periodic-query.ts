import { parseTypeExpression, type Entity } from '../../core/index.js';
import type { EntityQuery, Store } from '../../store/index.js';
import type { AccessView } from '../access.js';
import type { StoredSubscription } from './subscription.js';

/** The most entities one periodic notification carries. */
export const PERIODIC_LIMIT = 1000;

/**
 * The entities a periodic (timeInterval) subscription reports: those its selectors pick that
 * pass its q, geoQ and scopeQ, at most PERIODIC_LIMIT, each once.
 */
export async function queryMatchingEntities(
  store: Store,
  sub: StoredSubscription,
  access?: AccessView,
): Promise<Entity[]> {
  const found = new Map<string, Entity>();
  for (const selector of sub.entities ?? []) {
    const query: EntityQuery = {
      types: parseTypeExpression(selector.type),
      limit: PERIODIC_LIMIT - found.size,
      offset: 0,
    };
    if (selector.id !== undefined) query.ids = [selector.id];
    if (selector.idPattern !== undefined) query.idPattern = selector.idPattern;
    if (sub.filters.q) query.q = sub.filters.q;
    if (sub.filters.scope) query.scopeQ = sub.filters.scope;
    if (sub.filters.geo) query.geo = sub.filters.geo;
    if (query.limit <= 0) break;
    const restricted = access ? access.restrict(query) : query;
    for (const entity of (await store.entities.query(restricted)).entities)
      found.set(entity.id, entity);
  }
  return [...found.values()];
}
