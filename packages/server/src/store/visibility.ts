import type { QExpression } from '../core/index.js';
import type { VisibilityRule } from './port.js';

/**
 * The visible types of a query's `within` rules, each with the q its entities must match (the
 * ORed qs of its rules), or undefined when a rule admits every entity of the type.
 */
export function visibleTypes(
  rules: readonly VisibilityRule[],
): Map<string, QExpression | undefined> {
  const qs = new Map<string, QExpression[] | undefined>();
  for (const { type, q } of rules) {
    const seen = qs.has(type) ? qs.get(type) : [];
    qs.set(type, seen && q ? [...seen, q] : undefined);
  }
  return new Map(
    [...qs].map(([type, list]): [string, QExpression | undefined] => [
      type,
      list && (list.length === 1 ? list[0] : { kind: 'or', terms: list }),
    ]),
  );
}
