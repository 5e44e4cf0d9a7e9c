import type { Entity } from '../core/index.js';

/**
 * Entity-level system attributes of a write (every store): createdAt kept from the first
 * version, modifiedAt the commit time `now` unless the write set a new one.
 */
export function stampEntity(before: Entity | undefined, next: Entity, now: string): Entity {
  const createdAt = before?.createdAt ?? next.createdAt ?? now;
  const modifiedAt =
    next.modifiedAt !== undefined && next.modifiedAt !== before?.modifiedAt ? next.modifiedAt : now;
  return next.createdAt === createdAt && next.modifiedAt === modifiedAt
    ? next
    : { ...next, createdAt, modifiedAt };
}
