import { attributeNames, type Attribute, type Entity } from '../../core/index.js';
import type { AttributeInstance, EntityWriteResult, Store } from '../../store/index.js';
import { instancesOf } from '../attribute-instances.js';

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
 * as history instances: what the temporal API shows for writes made through /entities.
 */
export function changedInstances(
  before: Entity | undefined,
  after: Entity | undefined,
  now: number,
): AttributeInstance[] {
  if (!after) return [];
  const out: AttributeInstance[] = [];
  for (const attr of attributeNames(after)) {
    const previous = new Map(
      (before ? instancesOf(before[attr]) : []).map((i) => [i.datasetId ?? '', content(i)]),
    );
    for (const attribute of instancesOf(after[attr])) {
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

/**
 * Appends to the history what successful entity writes changed (call after
 * `store.entities.write` resolved, e.g. in the /entities and batch routes).
 */
export async function recordChangeHistory(
  store: Store,
  results: readonly EntityWriteResult[],
): Promise<void> {
  const now = Date.now();
  const instances = results.flatMap((r) =>
    r.error || !r.changed ? [] : changedInstances(r.before, r.after, now),
  );
  if (instances.length > 0) await store.temporal.append(instances);
}
