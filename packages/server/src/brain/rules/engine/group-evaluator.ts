import type { Evaluator, Fact, Signal } from './evaluator.js';

/** A rule's evaluator that feeds at most one key per fact (see `Evaluator.keyOf`). */
export type SingleKeyEvaluator = Evaluator<unknown> & { keyOf(fact: Fact): string | undefined };

/** The member states of one key: a member's is created at the first fact it reads. */
interface GroupState {
  states: unknown[];
}

/**
 * Many rules over the same keys (the entities of a type, its areas, the whole city) as one
 * evaluator, so that the engine keeps one state, one watermark and one lateness buffer per key
 * for all of them instead of one per rule: a fact costs one key lookup, not one per rule.
 * Each member sees what it would alone (its own facts, time advanced at least as finely, which
 * evaluators must not notice), and its signals carry its index as `member`.
 * `keyOf` is the members' shared keying (the entity, the area, …): every member that reads a
 * fact must feed it to that key.
 */
export function groupEvaluator(
  members: readonly SingleKeyEvaluator[],
  keyOf: (fact: Fact) => string | undefined,
): Evaluator<GroupState> & { keyOf(fact: Fact): string | undefined } {
  const n = members.length;
  /** Marks the signals from `from` on as the member's. */
  const tag = (out: Signal[], from: number, member: number) => {
    for (let j = from; j < out.length; j++) out[j]!.member = member;
  };
  const groupKeyOf = (fact: Fact): string | undefined => {
    const key = keyOf(fact);
    if (key === undefined) return undefined;
    for (let i = 0; i < n; i++) if (members[i]!.keyOf(fact) === key) return key;
    return undefined;
  };
  return {
    keyOf: groupKeyOf,
    keysOf: (fact) => {
      const key = groupKeyOf(fact);
      return key === undefined ? [] : [key];
    },
    create: () => ({ states: new Array<unknown>(n).fill(undefined) }),
    clone: (g) => ({
      states: g.states.map((s, i) => (s === undefined ? undefined : members[i]!.clone(s))),
    }),
    observe(g, fact, key, out) {
      for (let i = 0; i < n; i++) {
        const member = members[i]!;
        if (member.keyOf(fact) !== key) continue;
        let s = g.states[i];
        if (s === undefined) g.states[i] = s = member.create(key);
        const from = out.length;
        member.observe(s, fact, key, out);
        if (out.length > from) tag(out, from, i);
      }
    },
    advance(g, t, key, out) {
      for (let i = 0; i < n; i++) {
        const s = g.states[i];
        if (s === undefined) continue;
        const from = out.length;
        members[i]!.advance(s, t, key, out);
        if (out.length > from) tag(out, from, i);
      }
    },
    absorbsLate(g, fact, key) {
      for (let i = 0; i < n; i++) {
        const member = members[i]!;
        if (member.keyOf(fact) !== key) continue;
        const s = g.states[i];
        if (s === undefined || !member.absorbsLate?.(s, fact, key)) return false;
      }
      return true;
    },
    size(g) {
      let size = 1;
      for (let i = 0; i < n; i++) {
        const s = g.states[i];
        if (s !== undefined) size += members[i]!.size?.(s) ?? 1;
      }
      return size;
    },
  };
}
