import type { Entity } from '../../core/index.js';
import type { AttributeInstance, Store, TemporalQuery } from '../../store/index.js';
import type { LdContext } from '../context/index.js';
import type { TemporalView, TemporalWindow } from './temporal-params.js';
import { renderTemporalEntity, type AggregatedSeries } from './temporal-render.js';

/** What a temporal read asks of the history. */
export interface HistoryRequest {
  window: TemporalWindow;
  view: TemporalView;
  /** Canonical attribute names; all when absent. */
  attrs?: string[];
}

function temporalQuery(ids: string[], request: HistoryRequest): TemporalQuery {
  const { window, attrs } = request;
  const query: TemporalQuery = { entityIds: ids, timeproperty: window.timeproperty };
  if (attrs) query.attrs = attrs;
  if (window.from !== undefined) query.from = window.from;
  if (window.to !== undefined) query.to = window.to;
  if (window.lastN !== undefined) query.lastN = window.lastN;
  return query;
}

function byEntity<T extends { entityId: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(item.entityId);
    if (list) list.push(item);
    else out.set(item.entityId, [item]);
  }
  return out;
}

/** One entity whose history is read. */
export interface TemporalHead {
  id: string;
  type: string | string[];
  current?: Entity;
  /** The attributes the caller may see (canonical names); all when absent. */
  attributes?: ReadonlySet<string>;
}

/**
 * Reads the history of entities (one store call for all of them) and renders each as a
 * temporal entity, in the order given. Aggregations are computed by the store.
 */
export async function readTemporalEntities(
  store: Store,
  heads: readonly TemporalHead[],
  request: HistoryRequest,
  ctx: LdContext,
): Promise<Record<string, unknown>[]> {
  if (heads.length === 0) return [];
  const query = temporalQuery(
    heads.map((h) => h.id),
    request,
  );
  let instances = new Map<string, AttributeInstance[]>();
  let aggregates = new Map<string, AggregatedSeries[]>();
  if (request.view.format === 'aggregatedValues')
    aggregates = byEntity(
      await store.temporal.aggregate(query, request.view.methods, request.view.periodMs),
    );
  else instances = byEntity(await store.temporal.query(query));
  return heads.map((head) =>
    renderTemporalEntity(
      {
        ...head,
        instances: visibleOnly(instances.get(head.id) ?? [], head.attributes),
        aggregates: visibleOnly(aggregates.get(head.id) ?? [], head.attributes),
      },
      request.view,
      request.window.timeproperty,
      ctx,
    ),
  );
}

function visibleOnly<T extends { attr: string }>(
  items: readonly T[],
  attributes: ReadonlySet<string> | undefined,
): readonly T[] {
  return attributes ? items.filter((i) => attributes.has(i.attr)) : items;
}

/** True when the store holds any history for the entity. */
export async function hasHistory(store: Store, id: string): Promise<boolean> {
  const probe = await store.temporal.query({
    entityIds: [id],
    timeproperty: 'observedAt',
    lastN: 1,
  });
  return probe.length > 0;
}

/** URNs of the form urn:ngsi-ld:<Type>:<local id> name their type. */
export function typeFromUrn(id: string): string | undefined {
  return /^urn:ngsi-ld:([^:]+):./.exec(id)?.[1];
}
