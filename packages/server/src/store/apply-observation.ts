import {
  isValidGeometry,
  type Attribute,
  type Entity,
  type GeoProperty,
  type Observation,
  type Property,
} from '../core/index.js';

/** The attribute type an observed value makes: a valid GeoJSON geometry is a GeoProperty. */
export function observedType(value: unknown): 'Property' | 'GeoProperty' {
  return isValidGeometry(value) ? 'GeoProperty' : 'Property';
}

const isGeoProperty = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'GeoProperty';

/**
 * Why `entity` cannot take `obs`, undefined when it can. An attribute that is a GeoProperty
 * takes only a valid GeoJSON geometry: anything else would make it a Property and drop the
 * entity out of the geo-queries unnoticed. Late observations are judged alike (they join the
 * history, where the attribute is a GeoProperty too).
 */
export function observationRefusal(entity: Entity, obs: Observation): string | undefined {
  for (const [name, observed] of Object.entries(obs.attrs)) {
    const current = entity[name];
    const geo = Array.isArray(current) ? current.some(isGeoProperty) : isGeoProperty(current);
    if (geo && !isValidGeometry(observed.value))
      return `attribute ${name} of ${entity.id} is a GeoProperty: a device may report it only as a valid GeoJSON geometry`;
  }
  return undefined;
}

/**
 * Applies one observation to a copy of its entity (every store's ingest): each observed
 * attribute becomes a Property (a GeoProperty when the value is a valid GeoJSON geometry) with
 * the value, observedAt and unitCode (kept from the current value when the observation has
 * none). Late data never overwrites a newer current value. Call it only for an observation
 * observationRefusal accepts.
 */
export function applyObservation(entity: Entity, obs: Observation): Entity {
  const observedAt = new Date(obs.observedAt).toISOString();
  const next: Entity = { ...entity };
  for (const [name, observed] of Object.entries(obs.attrs)) {
    const current = entity[name] as Attribute | undefined;
    // Late data goes to the time series but never overwrites a newer current value.
    if (current?.observedAt !== undefined && current.observedAt > observedAt) continue;
    const { value } = observed;
    const attr: Property | GeoProperty = isValidGeometry(value)
      ? { type: 'GeoProperty', value, observedAt }
      : { type: 'Property', value, observedAt };
    const unitCode = observed.unitCode ?? current?.unitCode;
    if (unitCode !== undefined) attr.unitCode = unitCode;
    next[name] = attr;
  }
  return next;
}
