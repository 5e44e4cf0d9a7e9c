import type { Fact } from '../engine/evaluator.js';

/** Which facts a rule reads. */
export interface Selection {
  entityType: string;
  area?: string;
}

/** The area a fact's entity is in: its areaServed, else its district. */
export function areaOf(fact: Fact): string | undefined {
  const area = fact.context?.areaServed ?? fact.attrs.areaServed;
  if (typeof area === 'string') return area;
  const district = fact.context?.refDistrict ?? fact.attrs.refDistrict;
  return typeof district === 'string' ? district : undefined;
}

/** True when the rule reads this fact. */
export function selects(select: Selection, fact: Fact): boolean {
  return (
    fact.entityType === select.entityType &&
    (select.area === undefined || areaOf(fact) === select.area)
  );
}

/** The fact's value of an attribute, when it is a finite number. */
export function numberOf(fact: Fact, attribute: string): number | undefined {
  const v = fact.attrs[attribute];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `keyOf` and the `keysOf` it implies, for rules that feed at most one key per fact. */
export function oneKey(keyOf: (fact: Fact) => string | undefined) {
  return {
    keyOf,
    keysOf: (fact: Fact): string[] => {
      const key = keyOf(fact);
      return key === undefined ? [] : [key];
    },
  };
}

/** At most this many facts are kept as an alert's evidence. */
export const MAX_EVIDENCE = 20;
