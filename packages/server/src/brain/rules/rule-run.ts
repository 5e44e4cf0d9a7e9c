import { CityError } from '../../core/index.js';
import type { Evaluator, Fact } from './engine/evaluator.js';
import { groupEvaluator, type SingleKeyEvaluator } from './engine/group-evaluator.js';
import { KeyedEngine, type EngineOutput, type EngineTiming } from './engine/keyed-engine.js';
import { aggregateFamilyEvaluator, aggregationOf } from './kinds/aggregate.js';
import { evaluatorFor } from './kinds/index.js';
import { KEY_OF, keyingOf } from './rule-groups.js';
import type { AggregateRule, Rule } from './rule-schema.js';

/**
 * One rule's evaluator, or the group's (its signals name their rule as `member`). The group's
 * aggregate rules of one aggregation share their windows (see aggregateFamilyEvaluator).
 */
function evaluatorOf(rules: readonly Rule[]): Evaluator<unknown> {
  if (rules.length === 1) return evaluatorFor(rules[0]!);
  const keying = keyingOf(rules[0]!);
  if (keying === undefined)
    throw new CityError('InternalError', `a ${rules[0]!.kind} rule is evaluated alone`);
  const units: number[][] = [];
  const families = new Map<string, number[]>();
  rules.forEach((rule, i) => {
    const aggregation = rule.kind === 'aggregate' ? aggregationOf(rule) : undefined;
    const family = aggregation === undefined ? undefined : families.get(aggregation);
    if (family) {
      family.push(i);
      return;
    }
    const unit = [i];
    units.push(unit);
    if (aggregation !== undefined) families.set(aggregation, unit);
  });
  const members = units.map((unit) => {
    const first = rules[unit[0]!]!;
    return (
      first.kind === 'aggregate' && unit.length > 1
        ? aggregateFamilyEvaluator(unit.map((i) => rules[i] as AggregateRule))
        : evaluatorFor(first)
    ) as SingleKeyEvaluator;
  });
  const areas = units.map(([i]) => {
    const rule = rules[i!]!;
    return 'select' in rule ? rule.select.area : undefined;
  });
  return groupEvaluator(members, KEY_OF[keying], areas, units);
}

/** The identity of a fact as the history holds it: one per entity and event time. */
export const factId = (fact: Fact): string => `${fact.entityId}\u0000${fact.t}`;

/**
 * The engine's clock: the wall clock, except while the history is replayed, when it reads the
 * event time of the fact being applied, so that the engine takes each stored fact to have come
 * when it happened and lets a key fall silent from its last stored fact, as it would have live.
 */
export class ReplayClock {
  /** The event time being replayed; undefined: live. */
  at: number | undefined;
  constructor(private readonly wall: () => number) {}
  readonly now = (): number => this.at ?? this.wall();
}

/**
 * Active rules this node evaluates as one (one rule, or a group of rules of one type keyed
 * alike: see groupRules), in the rules' thread: their engine and, while their state is rebuilt
 * from the history, the live facts that come meanwhile (applied after the rebuild, in arrival
 * order, except those the history already held). The rule engine knows it by its RunHandle.
 */
export class RuleRun {
  readonly engine: KeyedEngine<unknown>;
  readonly clock: ReplayClock;
  readonly rules: readonly Rule[];
  private buffer: Fact[] | undefined = [];

  /** Throws when a rule cannot be evaluated; several rules must be of one type, keyed alike. */
  constructor(
    rules: Rule | readonly Rule[],
    timing: Omit<EngineTiming, 'clock'> & { clock: () => number },
  ) {
    this.rules = Array.isArray(rules) ? rules : [rules as Rule];
    this.clock = new ReplayClock(timing.clock);
    this.engine = new KeyedEngine(evaluatorOf(this.rules), { ...timing, clock: this.clock.now });
  }

  /** Applies a live fact now, or after the rebuild. */
  ingest(fact: Fact, out: EngineOutput[]): void {
    this.offer(fact, out);
    this.flush(out);
  }

  /** Takes a live fact of a batch (see KeyedEngine.offer); `flush` ends the batch. */
  offer(fact: Fact, out: EngineOutput[]): void {
    if (this.buffer) this.buffer.push(fact);
    else this.engine.offer(fact, out);
  }

  /** Replays the keys the batch's facts came out of order for. */
  flush(out: EngineOutput[]): void {
    if (!this.buffer) this.engine.flush(out);
  }

  /** Lets event time pass with the clock (not while rebuilding: the replay decides that). */
  tick(out: EngineOutput[]): void {
    if (!this.buffer) this.engine.tick(out);
  }

  /** Applies one stored fact at its own time (the rebuild). */
  replay(fact: Fact, out: EngineOutput[]): void {
    this.clock.at = fact.t;
    try {
      this.engine.ingest(fact, out);
    } finally {
      this.clock.at = undefined;
    }
  }

  /**
   * Ends the rebuild: the live facts that came during it are applied, but not those that the
   * history read already held (`seen`: their factIds), which would count twice.
   */
  goLive(seen: ReadonlySet<string>, out: EngineOutput[]): number {
    const buffered = this.buffer ?? [];
    this.buffer = undefined;
    let skipped = 0;
    for (const fact of buffered)
      if (seen.has(factId(fact))) skipped++;
      else this.engine.offer(fact, out);
    this.engine.flush(out);
    return skipped;
  }
}
