import {
  CityError,
  entityTypes,
  isUri,
  matchesTypes,
  parseTypeExpression,
  type TypeExpression,
} from '../../core/index.js';
import type { EntitySelector } from './subscription.js';

/** An entity selector ready to test entities: the type expression parsed, the pattern compiled. */
export interface CompiledSelector {
  id?: string;
  idPattern?: RegExp;
  types: TypeExpression;
}

/** Compiles a stored (canonical) selector; throws BadRequestData for a bad id, type or pattern. */
export function compileSelector(selector: EntitySelector): CompiledSelector {
  const out: CompiledSelector = { types: parseTypeExpression(selector.type) };
  if (selector.id !== undefined) {
    if (!isUri(selector.id))
      throw new CityError(
        'BadRequestData',
        `entities[].id ${JSON.stringify(selector.id)} is not a URI`,
      );
    out.id = selector.id;
  }
  if (selector.idPattern !== undefined) {
    try {
      out.idPattern = new RegExp(selector.idPattern);
    } catch (cause) {
      throw new CityError(
        'BadRequestData',
        `entities[].idPattern ${JSON.stringify(selector.idPattern)} is not a regular expression`,
        { cause },
      );
    }
  }
  return out;
}

/** True when an entity (its id and types) is selected by one selector. */
export function selects(
  selector: CompiledSelector,
  entity: { id: string; type: string | string[] },
): boolean {
  if (selector.id !== undefined && selector.id !== entity.id) return false;
  if (selector.idPattern && !selector.idPattern.test(entity.id)) return false;
  return matchesTypes(entityTypes(entity), selector.types);
}
