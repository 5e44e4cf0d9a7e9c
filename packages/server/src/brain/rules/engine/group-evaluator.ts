import { areaOf } from '../kinds/select.js';
import type { Evaluator, Fact, Signal } from './evaluator.js';

/** A rule's evaluator that feeds at most one key per fact (see `Evaluator.keyOf`). */
export type SingleKeyEvaluator = Evaluator<unknown> & { keyOf(fact: Fact): string | undefined };

/** The member states of one key: a member's is created at the first fact it reads. */
interface GroupState {
  states: unknown[];
  /**
   * The members with a state, in member order: time passes for them only (a group of a
   * hundred rules has a few dozen for one entity, those of the city and of its own area).
   */
  active: number[];
}

/**
 * The members that may read a fact, by the fact's area, in member order: those of every area,
 * and those selecting the fact's area. A fact is then offered to the few members of its area,
 * not to the members of every other area (a city's rules are mostly about one area).
 */
function membersByArea(
  n: number,
  areas: readonly (string | undefined)[] | undefined,
): (fact: Fact) => readonly number[] {
  const everywhere: number[] = [];
  const byArea = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const area = areas?.[i];
    if (area === undefined) everywhere.push(i);
    else if (byArea.has(area)) byArea.get(area)!.push(i);
    else byArea.set(area, [i]);
  }
  if (byArea.size === 0) return () => everywhere;
  for (const [area, own] of byArea)
    byArea.set(
      area,
      [...everywhere, ...own].sort((a, b) => a - b),
    );
  return (fact) => {
    const area = areaOf(fact);
    return (area !== undefined && byArea.get(area)) || everywhere;
  };
}

/**
 * Many rules over the same keys (the entities of a type, its areas, the whole city) as one
 * evaluator, so that the engine keeps one state, one watermark and one lateness buffer per key
 * for all of them instead of one per rule: a fact costs one key lookup, not one per rule.
 * Each member sees what it would alone (its own facts, time advanced at least as finely, which
 * evaluators must not notice), and its signals carry its index as `member`.
 * `keyOf` is the members' shared keying (the entity, the area, …): every member that reads a
 * fact must feed it to that key. A member may evaluate several of the group's rules at once
 * (`rulesOf`: the rules of each member, by index in the group; its signals then name theirs by
 * its own `member`); by default member i is rule i.
 */
export function groupEvaluator(
  members: readonly SingleKeyEvaluator[],
  keyOf: (fact: Fact) => string | undefined,
  /** The area each member selects (undefined: every area); a member reads no other area. */
  areas?: readonly (string | undefined)[],
  rulesOf?: readonly (readonly number[])[],
): Evaluator<GroupState> & { keyOf(fact: Fact): string | undefined } {
  const n = members.length;
  const candidates = membersByArea(n, areas);
  /** Marks the signals from `from` on as the rules' of member i. */
  const tag = (out: Signal[], from: number, i: number) => {
    const rules = rulesOf?.[i];
    for (let j = from; j < out.length; j++) {
      const signal = out[j]!;
      signal.member = !rules ? i : rules.length === 1 ? rules[0]! : rules[signal.member!]!;
    }
  };
  const groupKeyOf = (fact: Fact): string | undefined => {
    const key = keyOf(fact);
    if (key === undefined) return undefined;
    for (const i of candidates(fact)) if (members[i]!.keyOf(fact) === key) return key;
    return undefined;
  };
  return {
    keyOf: groupKeyOf,
    keysOf: (fact) => {
      const key = groupKeyOf(fact);
      return key === undefined ? [] : [key];
    },
    create: () => ({ states: new Array<unknown>(n).fill(undefined), active: [] }),
    clone: (g) => {
      const states = new Array<unknown>(n).fill(undefined);
      for (const i of g.active) states[i] = members[i]!.clone(g.states[i]);
      return { states, active: g.active.slice() };
    },
    observe(g, fact, key, out) {
      for (const i of candidates(fact)) {
        const member = members[i]!;
        if (member.keyOf(fact) !== key) continue;
        let s = g.states[i];
        if (s === undefined) {
          g.states[i] = s = member.create(key);
          g.active.splice(sortedIndex(g.active, i), 0, i);
        }
        const from = out.length;
        member.observe(s, fact, key, out);
        if (out.length > from) tag(out, from, i);
      }
    },
    advance(g, t, key, out) {
      const active = g.active;
      for (let j = 0; j < active.length; j++) {
        const i = active[j]!;
        const from = out.length;
        members[i]!.advance(g.states[i], t, key, out);
        if (out.length > from) tag(out, from, i);
      }
    },
    absorbsLate(g, fact, key) {
      for (const i of candidates(fact)) {
        const member = members[i]!;
        if (member.keyOf(fact) !== key) continue;
        const s = g.states[i];
        if (s === undefined || !member.absorbsLate?.(s, fact, key)) return false;
      }
      return true;
    },
    size(g) {
      let size = 1;
      for (const i of g.active) size += members[i]!.size?.(g.states[i]) ?? 1;
      return size;
    },
  };
}

/** Where `i` goes in an increasing list. */
function sortedIndex(list: readonly number[], i: number): number {
  let at = list.length;
  while (at > 0 && list[at - 1]! > i) at--;
  return at;
}
