import type { Fact } from './engine/evaluator.js';
import { areaOf } from './kinds/select.js';
import type { Rule } from './rule-schema.js';

/** What a rule's keys are: the entities of its type, its areas, or the whole city. */
export type Keying = 'entity' | 'area' | 'all';

/** The key of a fact under each keying (as the kinds key it). */
export const KEY_OF: Record<Keying, (fact: Fact) => string | undefined> = {
  entity: (fact) => fact.entityId,
  area: (fact) => areaOf(fact),
  all: () => 'all',
};

/** How a rule keys its state; undefined for the kinds evaluated alone (several types, a zone). */
export function keyingOf(rule: Rule): Keying | undefined {
  switch (rule.kind) {
    case 'threshold':
    case 'rate':
    case 'absence':
    case 'geofence':
      return 'entity';
    case 'aggregate':
      return rule.groupBy ?? 'entity';
    case 'countInArea':
    case 'correlation':
      return undefined;
  }
}

/** Which group a rule is evaluated in: its entity type and keying; undefined: alone. */
export function groupOfRule(rule: Rule): string | undefined {
  const keying = keyingOf(rule);
  if (keying === undefined || rule.kind === 'correlation') return undefined;
  return `${rule.select.entityType}\u0000${keying}`;
}

/**
 * The rules put together to be evaluated as one (see groupEvaluator): those of one entity type
 * keyed alike, in the order given; a rule of another kind is a group of its own.
 */
export function groupRules(rules: readonly Rule[]): Rule[][] {
  const groups = new Map<string, Rule[]>();
  const alone: Rule[][] = [];
  for (const rule of rules) {
    const id = groupOfRule(rule);
    if (id === undefined) {
      alone.push([rule]);
      continue;
    }
    const group = groups.get(id);
    if (group) group.push(rule);
    else groups.set(id, [rule]);
  }
  return [...groups.values(), ...alone];
}
