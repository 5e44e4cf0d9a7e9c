import type { Entity } from '../core/index.js';
import { Topics, type Bus, type EntityChange } from '../bus/index.js';

/** Publishes an `entity.changed` event after a write made through the NGSI-LD API. */
export async function publishEntityChange(
  bus: Bus,
  kind: EntityChange['kind'],
  entity: Entity,
): Promise<void> {
  const payload: EntityChange = { id: entity.id, type: entity.type, kind };
  if (kind !== 'deleted') payload.entity = entity;
  await bus.publish([{ topic: Topics.entityChanged, key: entity.id, time: Date.now(), payload }]);
}
