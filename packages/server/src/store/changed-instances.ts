import { attributeInstances, attributeNames, type Attribute, type Entity } from '../core/index.js';
import type { AttributeInstance } from './port.js';

/** An instance's content without its system times, to tell a real change from a re-stamp. */
function content(a: Attribute): string {
  const { createdAt, modifiedAt, ...rest } = a;
  void createdAt;
  void modifiedAt;
  return JSON.stringify(rest);
}

const ms = (iso: string | undefined, fallback: number) => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? fallback : t;
};

/**
 * The attribute instances an entity write created or changed (compared with the state before),
 * as history instances: a store appends them in the write's own transaction, so the temporal
 * API shows every change made through /entities, batch operations and ingest alike.
 */
export function changedInstances(
  before: Entity | undefined,
  after: Entity | undefined,
  now: number,
): AttributeInstance[] {
  if (!after) return [];
  const out: AttributeInstance[] = [];
  for (const attr of attributeNames(after)) {
    // An attribute value the write carried over as is (the same object) changed nothing.
    if (before !== undefined && before[attr] === after[attr]) continue;
    const previous = new Map(
      (before ? attributeInstances(before, attr) : []).map((i) => [i.datasetId ?? '', content(i)]),
    );
    for (const attribute of attributeInstances(after, attr)) {
      if (previous.get(attribute.datasetId ?? '') === content(attribute)) continue;
      const instance: AttributeInstance = {
        entityId: after.id,
        attr,
        instanceId: '',
        attribute,
        createdAt: ms(attribute.modifiedAt, now),
        modifiedAt: ms(attribute.modifiedAt, now),
      };
      if (attribute.datasetId !== undefined) instance.datasetId = attribute.datasetId;
      out.push(instance);
    }
  }
  return out;
}
