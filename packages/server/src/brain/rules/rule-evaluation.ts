import type { Fact } from './engine/evaluator.js';
import { noEngineStats, type EngineOutput, type EngineStats } from './engine/keyed-engine.js';
import { replay, type HistoryBatch, type ReplayOutcome } from './rule-replay.js';
import { reads, routeTable, type Route } from './rule-routes.js';
import { RuleRun } from './rule-run.js';
import type { Rule } from './rule-schema.js';

/** Facts per batch: a run replays its out-of-order keys once per batch. */
const BATCH = 128;

/**
 * What the rule engine asks of the rules' thread. Every request carries the engine's clock
 * (`now`): the time up to which every fact that came was sent, so that the rules never take
 * facts still on their way for silence.
 */
export type EvaluationRequest = { id: number; now: number } & (
  | { type: 'open'; run: number; rules: Rule[]; latenessMs: number; idleGraceMs: number }
  | { type: 'close'; run: number }
  | {
      type: 'facts';
      /** The facts; those `shared` take the context last sent for their entity. */
      facts: readonly WireFact[];
      /** Contexts new or changed since the last request, by entity. */
      contexts: [entityId: string, context: Readonly<Record<string, unknown>>][];
    }
  | { type: 'tick' }
  | { type: 'history'; ref: number; batch: HistoryBatch }
  | { type: 'forget'; ref: number }
  | { type: 'replay'; run: number; ref: number; latenessMs: number }
  | { type: 'goLive'; run: number; ref?: number }
  | { type: 'size' }
);

/**
 * A fact as sent to the rules' thread: an entity's context (its area, district, position, name)
 * crosses once, not with each of its facts (a copy per fact, kept for the lateness allowed).
 */
export type WireFact = Fact & { shared?: true };

/** Asks the rules' thread to close its port and leave, once what it was asked is answered. */
export const END = 'end';

/** The answer to a request: the decisions it led to, by run, and the engines' counters. */
export interface EvaluationReply {
  id: number;
  outputs: [run: number, outputs: EngineOutput[]][];
  stats: EngineStats;
  /** A replay's outcome, the live facts a history already held (goLive), a state's size. */
  result?: ReplayOutcome | number;
  /** Why the request failed (its facts not evaluated, its replay not done). */
  error?: string;
}

/**
 * The rules' engines, driven by requests: the half of the rule engine that evaluates (see
 * RuleEngine for the other, which reads the stream and the history and acts on decisions).
 * Runs in a worker thread of its own, so that evaluating never holds up the ingest; the same
 * code answers in the engine's thread where no worker can be started (tests from the sources).
 */
export class RuleEvaluation {
  private readonly runs = new Map<number, RuleRun>();
  private readonly ids = new Map<RuleRun, number>();
  private byType = new Map<string, Route<RuleRun>[]>();
  private readonly histories = new Map<number, HistoryBatch>();
  /** The context of each entity, as last sent (see WireFact). */
  private readonly contexts = new Map<string, Readonly<Record<string, unknown>>>();
  private now = 0;
  private readonly clock = (): number => this.now;

  async handle(request: EvaluationRequest): Promise<EvaluationReply> {
    this.now = request.now;
    const touched = new Map<RuleRun, EngineOutput[]>();
    const reply: EvaluationReply = { id: request.id, outputs: [], stats: noEngineStats() };
    try {
      reply.result = await this.apply(request, touched);
    } catch (err) {
      reply.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    }
    for (const [run, outputs] of touched)
      if (outputs.length > 0) reply.outputs.push([this.ids.get(run) ?? -1, outputs]);
    reply.stats = this.stats();
    return reply;
  }

  private async apply(
    request: EvaluationRequest,
    touched: Map<RuleRun, EngineOutput[]>,
  ): Promise<ReplayOutcome | number | undefined> {
    const outOf = (run: RuleRun) => {
      let out = touched.get(run);
      if (!out) touched.set(run, (out = []));
      return out;
    };
    switch (request.type) {
      case 'open': {
        const { rules, latenessMs, idleGraceMs } = request;
        const run = new RuleRun(rules, { latenessMs, idleGraceMs, clock: this.clock });
        this.runs.set(request.run, run);
        this.ids.set(run, request.run);
        this.byType = routeTable(this.runs.values());
        return undefined;
      }
      case 'close': {
        const run = this.runs.get(request.run);
        if (run) this.ids.delete(run);
        this.runs.delete(request.run);
        this.byType = routeTable(this.runs.values());
        return undefined;
      }
      case 'facts':
        for (const [id, context] of request.contexts) this.contexts.set(id, context);
        for (const fact of request.facts)
          if (fact.shared)
            (fact as { context?: unknown }).context = this.contexts.get(fact.entityId);
        for (let i = 0; i < request.facts.length; i += BATCH) {
          const batch = new Set<RuleRun>();
          this.route(request.facts.slice(i, i + BATCH), batch, outOf);
          for (const run of batch) run.flush(outOf(run));
        }
        return undefined;
      case 'tick':
        for (const run of this.runs.values()) run.tick(outOf(run));
        return undefined;
      case 'history':
        this.histories.set(request.ref, request.batch);
        return undefined;
      case 'forget':
        this.histories.delete(request.ref);
        return undefined;
      case 'replay': {
        const run = this.runs.get(request.run);
        const batch = this.histories.get(request.ref);
        if (!run || !batch) throw new Error(`no run ${request.run} or history ${request.ref}`);
        return replay(run, batch, { now: this.clock, latenessMs: request.latenessMs });
      }
      case 'goLive': {
        const run = this.runs.get(request.run);
        const seen = request.ref === undefined ? undefined : this.histories.get(request.ref)?.seen;
        return run && run.goLive(seen ?? new Set(), outOf(run));
      }
      case 'size': {
        let n = 0;
        for (const run of this.runs.values()) n += run.engine.size();
        return n;
      }
    }
  }

  /** Offers each fact to the runs that read it (a correlation's run takes it once). */
  private route(
    facts: readonly Fact[],
    batch: Set<RuleRun>,
    outOf: (run: RuleRun) => EngineOutput[],
  ): void {
    for (const fact of facts) {
      let last: RuleRun | undefined;
      for (const route of this.byType.get(fact.entityType) ?? []) {
        if (route.run === last || !reads(route, fact)) continue;
        last = route.run;
        batch.add(route.run);
        route.run.offer(fact, outOf(route.run));
      }
    }
  }

  /** The engines' counters, summed over the runs. */
  private stats(): EngineStats {
    const sum = noEngineStats();
    for (const run of this.runs.values())
      for (const k of Object.keys(sum) as (keyof EngineStats)[]) sum[k] += run.engine.stats[k];
    return sum;
  }
}
