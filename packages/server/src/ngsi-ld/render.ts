import { pickAttributes, toKeyValues, type Entity } from '../core/index.js';

/** How entities are rendered: NGSI-LD normalized, or keyValues (a.k.a. simplified). */
export type Representation = 'normalized' | 'keyValues';

/** What a client asked to see of an entity. */
export interface RenderOptions {
  /** Only these attributes (id and type always stay); all when absent. */
  attrs?: readonly string[];
  representation: Representation;
}

/** Renders an entity for a response: attribute projection, then the representation. */
export function renderEntity(entity: Entity, options: RenderOptions): Record<string, unknown> {
  const picked = options.attrs ? pickAttributes(entity, options.attrs) : entity;
  return options.representation === 'keyValues' ? toKeyValues(picked) : { ...picked };
}
