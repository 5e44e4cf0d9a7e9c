/** One input of the rule engine: an observation or an entity's new state, at its event time. */
export interface Fact {
  entityId: string;
  entityType: string;
  /** Event time, epoch ms. */
  t: number;
  /** The order among facts of the same event time (arrival order at the source). */
  seq: number;
  /** Attribute values (plain values: numbers, strings, GeoJSON geometries …). */
  attrs: Readonly<Record<string, unknown>>;
  /** Static context of the entity (areaServed, refDistrict, location …), when known. */
  context?: Readonly<Record<string, unknown>>;
}

/** A fact as evidence of a signal. */
export interface Evidence {
  entityId: string;
  attr: string;
  observedAt: number;
  value: unknown;
}

/**
 * What an evaluator decides for one key: a condition began (`raise`) or ended (`clear`), at an
 * event time. Signals are identified by (key, kind, at): evaluating the same facts again gives
 * the same signals.
 */
export interface Signal {
  kind: 'raise' | 'clear';
  key: string;
  /**
   * The event time at which it was decided: the fact that decided it, or the deadline that
   * fell due (never earlier: a replay after the watermark must find it again).
   */
  at: number;
  /** The value that decided it (an aggregate, a count, a rate …). */
  value?: number;
  evidence: Evidence[];
  /** Words for the alert's description (e.g. the window, the area). */
  detail?: Record<string, unknown>;
  /** Which rule of a group decided it (see `groupEvaluator`); absent for a rule alone. */
  member?: number;
}

/**
 * A rule as a deterministic state machine per key (an entity, a district, the whole city …),
 * fed its key's facts in event-time order. `advance(state, t)` lets event time pass to `t` and
 * fires what falls due by then (a window's end, a silence's deadline): it must give the same
 * signals however finely time is advanced, so that an evaluation fed the facts as they come
 * and one fed them all at once agree.
 */
export interface Evaluator<S> {
  /** The keys a fact feeds; none when the rule does not concern it. */
  keysOf(fact: Fact): readonly string[];
  /**
   * For rules that feed at most one key per fact (per entity, per area): the key, without the
   * array `keysOf` allocates. The engine prefers it; it must agree with `keysOf`.
   */
  keyOf?(fact: Fact): string | undefined;
  create(key: string): S;
  clone(state: S): S;
  /** Applies one fact (facts of a key arrive in (t, seq) order, after `advance(state, t - 1)`). */
  observe(state: S, fact: Fact, key: string, out: Signal[]): void;
  /** Event time reached `t`: emit what falls due at or before `t`. */
  advance(state: S, t: number, key: string, out: Signal[]): void;
  /** Roughly how many values the state holds (memory accounting). */
  size?(state: S): number;
  /**
   * True when a fact older than the key's last can be applied to the state as it is, giving
   * what applying the facts in event-time order would (a window's sum does not care about the
   * order of its facts, as long as the window is still open). Without it, such a fact makes
   * the engine replay the key's pending facts — costly for a key fed by many sources.
   */
  absorbsLate?(state: S, fact: Fact, key: string): boolean;
}

/** Orders facts by event time, then by their order at the source. */
export const byTime = (a: Fact, b: Fact): number => a.t - b.t || a.seq - b.seq;

/** The identity of a signal: two evaluations that agree give signals with the same ids. */
export const signalId = (s: Signal): string =>
  s.member === undefined
    ? `${s.key}\u0000${s.kind}\u0000${s.at}`
    : `${s.member}\u0000${s.key}\u0000${s.kind}\u0000${s.at}`;
