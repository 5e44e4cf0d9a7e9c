import type { EntityChange } from '../../bus/index.js';
import type { Entity, Observation } from '../../core/index.js';
import type { Fact } from './engine/evaluator.js';

/** Static members of an entity that rules group and place by. */
export const CONTEXT_ATTRIBUTES = ['areaServed', 'refDistrict', 'refCommunity', 'location', 'name'];

/** The plain value of an NGSI-LD attribute (the first instance of a multi-attribute). */
export function plainValue(attribute: unknown): unknown {
  const a = Array.isArray(attribute) ? (attribute[0] as unknown) : attribute;
  if (typeof a !== 'object' || a === null) return a;
  const member = a as Record<string, unknown>;
  if ('value' in member) return member.value;
  if ('object' in member) return member.object;
  return undefined;
}

/** What rules need of an entity's static members: its area, district, position, name. */
export function contextOf(entity: Entity): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const name of CONTEXT_ATTRIBUTES)
    if (entity[name] !== undefined) context[name] = plainValue(entity[name]);
  return context;
}

/** A device's observation as a fact, with its entity's context. */
export function observationFact(
  obs: Observation,
  seq: number,
  context: Record<string, unknown> | undefined,
): Fact {
  const attrs: Record<string, unknown> = {};
  for (const [name, observed] of Object.entries(obs.attrs)) attrs[name] = observed.value;
  return {
    entityId: obs.entityId,
    entityType: obs.entityType,
    t: obs.observedAt,
    seq,
    attrs,
    ...(context && { context }),
  };
}

/** The newest observedAt among an entity's attributes, else its modifiedAt, as epoch ms. */
function eventTime(entity: Entity): number | undefined {
  let newest: number | undefined;
  for (const [name, attribute] of Object.entries(entity)) {
    if (name === 'id' || name === 'type') continue;
    for (const a of Array.isArray(attribute) ? attribute : [attribute]) {
      const at = (a as { observedAt?: unknown } | undefined)?.observedAt;
      const t = typeof at === 'string' ? Date.parse(at) : NaN;
      if (Number.isFinite(t) && (newest === undefined || t > newest)) newest = t;
    }
  }
  if (newest !== undefined) return newest;
  const modified = typeof entity.modifiedAt === 'string' ? Date.parse(entity.modifiedAt) : NaN;
  return Number.isFinite(modified) ? modified : undefined;
}

/**
 * An entity written through the API (a department's record: a clinic's daily visits, a
 * pharmacy's sales) as a fact: every attribute's plain value, at its newest observedAt.
 * Undefined for deletions, and for changes made by device ingest (those come as observations).
 */
export function changeFact(change: EntityChange, seq: number, now: number): Fact | undefined {
  const entity = change.entity;
  if (!entity || change.source === 'ingest' || change.tenant !== undefined) return undefined;
  const attrs: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(entity))
    if (name !== 'id' && name !== 'type' && !name.startsWith('@'))
      attrs[name] = plainValue(attribute);
  const types = Array.isArray(entity.type) ? entity.type : [entity.type];
  return {
    entityId: entity.id,
    entityType: types[0]!,
    t: eventTime(entity) ?? now,
    seq,
    attrs,
    context: contextOf(entity),
  };
}
