import type { Store } from '../../store/index.js';
import { byTime, type Fact, type Signal } from './engine/evaluator.js';
import type { EngineOutput } from './engine/keyed-engine.js';
import { historyReadsOf, readHistory, warmupMs, type History } from './rule-history.js';
import { routeTable, ruleReads } from './rule-routes.js';
import { factId, type RuleRun } from './rule-run.js';
import type { Rule } from './rule-schema.js';

/**
 * How far back a rule's state is rebuilt, ms: twice its warm-up (so that the last closed
 * window is whole, and a duration begun just before the warm-up is seen from its start), its
 * clear duration, and the allowed lateness.
 */
export function rebuildSpanMs(rule: Rule, latenessMs: number): number {
  const clearMs = 'clear' in rule ? (rule.clear?.forSeconds ?? 0) * 1000 : 0;
  return 2 * warmupMs(rule) + clearMs + latenessMs;
}

/** The stored history of the rules rebuilt together: one read per entity type, shared. */
export interface HistoryBatch {
  histories: Map<string, History>;
  /** The factIds read: the same fact coming live meanwhile is not applied twice. */
  seen: Set<string>;
  facts: number;
  /** The types whose read stopped at the cap. */
  cut: string[];
}

/** What the batch reads of each type: the oldest start and every attribute any rule reads. */
function plan(rules: readonly Rule[], now: number, latenessMs: number) {
  const byType = new Map<
    string,
    { from: number; attrs: Set<string> | undefined; lastBefore: boolean }
  >();
  for (const rule of rules) {
    const from = now - rebuildSpanMs(rule, latenessMs);
    const lastBefore = rule.kind === 'threshold';
    for (const read of historyReadsOf(rule)) {
      const entry = byType.get(read.type);
      if (!entry) {
        byType.set(read.type, { from, attrs: read.attrs && new Set(read.attrs), lastBefore });
        continue;
      }
      entry.from = Math.min(entry.from, from);
      entry.lastBefore ||= lastBefore;
      if (!read.attrs) entry.attrs = undefined;
      else for (const a of read.attrs) entry.attrs?.add(a);
    }
  }
  return byType;
}

/** Options of a history read for a rebuild. */
export interface ReadBatchOptions {
  store: Store;
  now: number;
  latenessMs: number;
  /** The most facts read per entity type. */
  maxFacts: number;
}

/** Reads the history the rules need, each entity type once. */
export async function readBatch(
  rules: readonly Rule[],
  options: ReadBatchOptions,
): Promise<HistoryBatch> {
  const batch: HistoryBatch = { histories: new Map(), seen: new Set(), facts: 0, cut: [] };
  for (const [type, read] of plan(rules, options.now, options.latenessMs)) {
    const history = await readHistory(
      options.store,
      { type, ...(read.attrs && { attrs: [...read.attrs] }) },
      { from: read.from, maxFacts: options.maxFacts, lastBefore: read.lastBefore },
    );
    batch.histories.set(type, history);
    batch.facts += history.facts.length;
    if (history.truncated) batch.cut.push(type);
    for (const fact of history.facts) batch.seen.add(factId(fact));
  }
  return batch;
}

/** The state of a run's rules after the replay of their history. */
export interface RunReplayed {
  /** One rule's. */
  of(ruleId: string): Replayed;
  facts: number;
}

/** A rule's state after the replay of its history. */
export interface Replayed {
  /** The keys standing raised, each with the raise that stands. */
  raised: Map<string, Signal>;
  /**
   * Whether the replay knows how a key stands: its facts were all read (the read was not cut
   * before its entity), and, for an absence, it had some (a silence older than the replay
   * still stands).
   */
  known(key: string): boolean;
  facts: number;
}

/** How many facts are replayed between two turns of the event loop. */
const SLICE = 20_000;

/**
 * The stored facts a rule reads since `from`, in event-time order; for a threshold (the last
 * value holds until the next), also each entity's last fact before: its standing value.
 */
function factsOf(run: RuleRun, batch: HistoryBatch, from: number): Fact[] {
  const routes = routeTable([run]);
  const lists = [...routes.keys()].map((t) => batch.histories.get(t)?.facts ?? []);
  const all = lists.length === 1 ? lists[0]! : lists.flat().sort(byTime);
  const standing = new Map<string, Fact>();
  const recent: Fact[] = [];
  const thresholds = run.rules.some((r) => r.kind === 'threshold');
  for (const fact of all) {
    if (!ruleReads(routes.get(fact.entityType), fact)) continue;
    if (fact.t >= from) recent.push(fact);
    else if (thresholds) standing.set(fact.entityId, fact);
  }
  return standing.size === 0 ? recent : [...[...standing.values()].sort(byTime), ...recent];
}

/** A replay's result as plain data (it crosses from the rules' thread). */
export interface ReplayOutcome {
  facts: number;
  /** The keys standing raised at the end, each with its member (rule of the run) and raise. */
  raised: { member: number; key: string; signal: Signal }[];
  /** The entities the replayed facts came from (for absences: a key without any is unknown). */
  entities: string[];
}

/**
 * Replays a run's stored facts through its engine, each at its own event time (from the
 * earliest any of its rules needs), then lets time pass to now as the live engine would have:
 * what stands raised at the end is each rule's state. The decisions made on the way are not
 * acted on (they were, or are history).
 */
export async function replay(
  run: RuleRun,
  batch: HistoryBatch,
  options: { now: () => number; latenessMs: number },
): Promise<ReplayOutcome> {
  const now = options.now();
  const from = Math.min(...run.rules.map((r) => now - rebuildSpanMs(r, options.latenessMs)));
  const facts = factsOf(run, batch, from);
  // Where each rule's key stands, and its last raise (a clear taken back makes it stand again).
  const raisedNow = new Map<string, boolean>();
  const lastRaise = new Map<string, Signal>();
  const idOf = (signal: Signal) => `${signal.member ?? 0}\u0000${signal.key}`;
  const standing = (outputs: EngineOutput[]) => {
    for (const { type, signal } of outputs.splice(0)) {
      const id = idOf(signal);
      if (type === 'revise') {
        if (signal.kind === 'raise' && lastRaise.has(id)) lastRaise.set(id, signal);
        continue;
      }
      raisedNow.set(id, (type === 'emit') === (signal.kind === 'raise'));
      if (type === 'emit' && signal.kind === 'raise') lastRaise.set(id, signal);
    }
  };
  const out: EngineOutput[] = [];
  for (let i = 0; i < facts.length; i++) {
    run.replay(facts[i]!, out);
    standing(out);
    if ((i + 1) % SLICE === 0) await new Promise((r) => setImmediate(r));
  }
  // Time passes to the moment the history was read, not later: the facts that came since are
  // the live ones the run holds back, and they are not silence.
  run.clock.at = now;
  try {
    run.engine.tick(out);
  } finally {
    run.clock.at = undefined;
  }
  standing(out);
  const raised: ReplayOutcome['raised'] = [];
  for (const [id, up] of raisedNow) {
    const signal = lastRaise.get(id);
    if (up && signal)
      raised.push({ member: signal.member ?? 0, key: signal.key, signal: strip(signal) });
  }
  const absences = run.rules.some((r) => r.kind === 'absence');
  return {
    facts: facts.length,
    raised,
    entities: absences ? [...new Set(facts.map((f) => f.entityId))] : [],
  };
}

/** Each rule's state after a replay, as the reconciliation reads it. */
export function replayedOf(
  rules: readonly Rule[],
  outcome: ReplayOutcome,
  batch: HistoryBatch,
): RunReplayed {
  const entities = new Set(outcome.entities);
  const cut = [...routeTable([{ rules }]).keys()].some((t) => batch.cut.includes(t));
  const complete = (key: string) =>
    !cut || [...batch.histories.values()].some((h) => h.complete.has(key));
  const byRule = new Map<string, Replayed>();
  rules.forEach((rule, member) => {
    const raised = new Map<string, Signal>();
    for (const r of outcome.raised) if (r.member === member) raised.set(r.key, r.signal);
    byRule.set(rule.id, {
      raised,
      known: (key) => complete(key) && (rule.kind !== 'absence' || entities.has(key)),
      facts: outcome.facts,
    });
  });
  return { of: (ruleId) => byRule.get(ruleId)!, facts: outcome.facts };
}

/** A signal as the alerts see it: which member of a group decided it is the engine's affair. */
export function strip(signal: Signal): Signal {
  if (signal.member === undefined) return signal;
  const rest = { ...signal };
  delete rest.member;
  return rest;
}
