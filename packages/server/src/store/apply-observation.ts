import type { Entity, Observation, Property } from '../core/index.js';

/**
 * Applies one observation to a copy of its entity (every store's ingest): each observed
 * attribute becomes a Property with the value, observedAt and unitCode (kept from the current
 * value when the observation has none). Late data never overwrites a newer current value.
 */
export function applyObservation(entity: Entity, obs: Observation): Entity {
  const observedAt = new Date(obs.observedAt).toISOString();
  const next: Entity = { ...entity };
  for (const [name, observed] of Object.entries(obs.attrs)) {
    const current = entity[name] as Property | undefined;
    // Late data goes to the time series but never overwrites a newer current value.
    if (current?.observedAt !== undefined && current.observedAt > observedAt) continue;
    const attr: Property = { type: 'Property', value: observed.value, observedAt };
    const unitCode = observed.unitCode ?? current?.unitCode;
    if (unitCode !== undefined) attr.unitCode = unitCode;
    next[name] = attr;
  }
  return next;
}
