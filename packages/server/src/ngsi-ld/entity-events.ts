import { Topics, type Bus, type BusEvent, type EntityChange } from '../bus/index.js';
import { entityTypes } from '../core/index.js';
import type { EntityWriteResult } from '../store/index.js';

/** The `entity.changed` payload of one successful write; undefined when nothing changed. */
export function entityChange(
  result: EntityWriteResult,
  tenant: string | undefined,
): EntityChange | undefined {
  if (result.error || !result.changed) return undefined;
  const { before, after } = result;
  const subject = after ?? before;
  if (!subject) return undefined;
  const kind: EntityChange['kind'] = !before ? 'created' : after ? 'updated' : 'deleted';
  const change: EntityChange = { id: result.id, type: entityTypes(subject)[0] ?? '', kind };
  if (after) change.entity = after;
  if (before) change.previous = before;
  if (tenant !== undefined) change.tenant = tenant;
  return change;
}

/**
 * Publishes `entity.changed` for every successful write of a batch, in order, once the store
 * has made them durable (call after `store.entities.write` resolved).
 */
export async function publishEntityChanges(
  bus: Bus,
  results: readonly EntityWriteResult[],
  tenant: string | undefined,
): Promise<void> {
  const time = Date.now();
  const events: BusEvent[] = [];
  for (const result of results) {
    const payload = entityChange(result, tenant);
    if (payload) events.push({ topic: Topics.entityChanged, key: payload.id, time, payload });
  }
  if (events.length > 0) await bus.publish(events);
}
