import { NGSI_LD_NULL, attributeInstances, type Attribute, type Entity } from '../../core/index.js';
import { compactEntity, type LdContext } from '../context/index.js';
import { renderEntity } from '../render.js';
import type { AttributeDiff } from './match-change.js';
import type { NotificationFormat, NotificationParams } from './subscription.js';

type Json = Record<string, unknown>;

/** The member holding an attribute's value, and its `previous…` twin for showChanges (clause 4.5). */
const VALUE_MEMBER: Record<Attribute['type'], [string, string]> = {
  Property: ['value', 'previousValue'],
  GeoProperty: ['value', 'previousValue'],
  Relationship: ['object', 'previousObject'],
  LanguageProperty: ['languageMap', 'previousLanguageMap'],
  VocabProperty: ['vocab', 'previousVocab'],
  JsonProperty: ['json', 'previousJson'],
  ListProperty: ['valueList', 'previousValueList'],
  ListRelationship: ['objectList', 'previousObjectList'],
};

/** Adds the previous value to an updated instance (matched by datasetId). */
function withPrevious(current: Attribute, previous: Entity, name: string): Attribute {
  const before = attributeInstances(previous, name).find((p) => p.datasetId === current.datasetId);
  if (!before) return current;
  const [, previousMember] = VALUE_MEMBER[current.type];
  const [beforeMember] = VALUE_MEMBER[before.type];
  return { ...current, [previousMember]: (before as unknown as Json)[beforeMember] };
}

/** A deleted attribute instance as notifications show it: the NGSI-LD Null with `deletedAt`. */
function deletedInstance(
  before: Attribute,
  deletedAt: string,
  format: NotificationFormat,
): unknown {
  if (format === 'keyValues') return NGSI_LD_NULL;
  const [member] = VALUE_MEMBER[before.type];
  const out: Json = { type: before.type, [member]: NGSI_LD_NULL, deletedAt };
  if (before.datasetId !== undefined) out.datasetId = before.datasetId;
  if (format === 'concise') delete out.type;
  return out;
}

/** What one notified entity needs. */
export interface NotifiedEntity {
  /** The entity after the change; absent when it was deleted. */
  entity?: Entity;
  previous?: Entity;
  id: string;
  type: string | string[];
  /** What the change did, when the entity is notified because of a change. */
  diff?: AttributeDiff;
  /** True when the subscription asked for attributeDeleted: deleted attributes are shown. */
  showDeleted?: boolean;
}

/**
 * Renders one entity of a notification's `data` (clauses 4.5, 5.11) with the shared entity
 * renderer (projection on `notification.attributes`, sysAttrs, format, names compacted with
 * the subscriber's @context), after adding previous values (showChanges); deleted attributes
 * and deleted entities are shown with the NGSI-LD Null and `deletedAt`.
 */
export function renderNotifiedEntity(
  item: NotifiedEntity,
  params: NotificationParams,
  ctx: LdContext,
  notifiedAt: string,
): Json {
  if (!item.entity)
    return { ...compactEntity({ id: item.id, type: item.type }, ctx), deletedAt: notifiedAt };
  const entity: Entity = { ...item.entity };
  const { diff, previous } = item;
  if (params.showChanges && diff && previous)
    for (const name of diff.updated) {
      const value = entity[name];
      if (value === undefined) continue;
      entity[name] = Array.isArray(value)
        ? (value as Attribute[]).map((a) => withPrevious(a, previous, name))
        : withPrevious(value as Attribute, previous, name);
    }
  const out = renderEntity(entity, {
    format: params.format,
    sysAttrs: params.sysAttrs === true,
    ctx,
    mediaType: 'application/json',
    ...(params.attributes ? { attrs: params.attributes } : {}),
  });
  if (item.showDeleted && diff && previous)
    for (const name of diff.deleted) {
      if (params.attributes && !params.attributes.includes(name)) continue;
      const gone = attributeInstances(previous, name).map((a) =>
        deletedInstance(a, notifiedAt, params.format),
      );
      out[ctx.compact(name)] = gone.length === 1 ? gone[0] : gone;
    }
  return out;
}
