import type { Logger } from 'pino';
import { Topics, type Bus, type BusSubscription, type EntityChange } from '../../bus/index.js';
import type { Observation } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { AlertSink } from './alert-sink.js';
import type { EngineStats } from './engine/keyed-engine.js';
import { FactQueue } from './fact-queue.js';
import { changeFact, contextOf, observationFact } from './facts.js';
import { RuleLeases } from './rule-leases.js';
import { everyRule, type RuleOwnership } from './rule-ownership.js';
import { RuleDecisions } from './rule-decisions.js';
import { openKey } from './rule-reconcile.js';
import { evaluatorFor } from './kinds/index.js';
import { groupOfRule, groupRules } from './rule-groups.js';
import { RuleRebuilder, type RebuildCause, type RebuildStats } from './rule-rebuilder.js';
import { RuleHost, RunHandle } from './rule-host.js';
import { routeTable } from './rule-routes.js';
import { isActive, type Rule } from './rule-schema.js';
import { RULE_CHANGED, RuleStore } from './rule-store.js';

export type { AlertSink } from './alert-sink.js';

/** The engine's timings and limits when its options leave them out (the configuration's defaults). */
export const RULE_ENGINE_DEFAULTS = {
  latenessMs: 10_000,
  rebuildMaxFacts: 200_000,
  regroupAfterMs: 5_000,
} as const;

/** How nodes sharing a bus share the rules out (see RuleLeases). */
export interface RuleSharing {
  /** This node's id, unique among the nodes. */
  nodeId: string;
  /** How long a rule's lease lasts unless renewed, ms; default LEASE_DEFAULTS. */
  ttlMs?: number;
  /** How often leases are renewed and shares rebalanced, ms; default LEASE_DEFAULTS. */
  renewMs?: number;
}

/** Options of the rule engine. */
export interface RuleEngineOptions {
  /** Rules a new city starts with (put in the store when it has none of that id). */
  rules: Rule[];
  bus: Bus;
  store: Store;
  alerts: AlertSink;
  logger: Logger;
  /** How late a fact may come and still count (the watermark's lag), ms; default 10 s. */
  latenessMs?: number;
  /** How often time is let pass for silent sources (absence, windows), ms; default 1 s. */
  tickMs?: number;
  clock?: () => number;
  /** Nodes sharing a bus share the rules by leases in the store; alone, a node runs them all. */
  share?: RuleSharing;
  /** The most stored facts a rebuild reads per entity type (more: cut, with a warning); default 200,000. */
  rebuildMaxFacts?: number;
  /** Evaluate in this thread, not a worker (by default: a worker, where its script is built). */
  inThread?: boolean;
  /** The rules' worker script (tests from the sources run the built one). */
  workerScript?: string;
  /**
   * How long the rules must stay unchanged before the rules of one group that were taken up
   * apart are put together again (rebuilt as one), ms; default 5 s.
   */
  regroupAfterMs?: number;
}

/** Counters of the rule engine. */
export interface RuleEngineStats extends RebuildStats {
  /** Decisions not acted on: this node no longer held their rule. */
  fenced: number;
}

/**
 * Evaluates the active rules this node holds on the city's event stream (device observations,
 * and entities written through the API) by event time: each rule is a KeyedEngine; each key's
 * watermark lags its newest event time by `latenessMs` (a device whose clock is off moves only
 * its own keys), and goes on with the clock when the key falls silent. A rule taken up (at
 * start, when it changes, when this node takes it over) first has its state rebuilt from the
 * stored history and its open alerts taken up again (see RuleRebuilder); live facts wait
 * meanwhile. Decisions open and resolve alerts, in the order they are made.
 */
export class RuleEngine {
  readonly store: RuleStore;
  readonly stats: RuleEngineStats;
  /** The active rules, all of them (this node evaluates those it holds). */
  private active = new Map<string, Rule>();
  private runs = new Map<string, RunHandle>();
  private nextRun = 1;
  /** The entity types the runs read (the others' facts are not sent to the rules' thread). */
  private types = new Set<string>();
  /** The rules' engines, in a thread of their own. */
  private readonly host: RuleHost;
  private readonly contexts = new Map<string, Record<string, unknown>>();
  /** The open alert of each rule's key. */
  private readonly open = new Map<string, string>();
  /** Rules already reported as impossible to evaluate (by their JSON). */
  private readonly broken = new Set<string>();
  private readonly ownership: RuleOwnership;
  private readonly rebuilder: RuleRebuilder;
  private readonly queue: FactQueue;
  private subscriptions: BusSubscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private regroupTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly decisions: RuleDecisions;
  /** Reloads and re-shares, one at a time. */
  private updating: Promise<void> = Promise.resolve();
  private reloadQueued = false;
  private stopped = false;
  private readonly clock: () => number;
  private readonly latenessMs: number;

  constructor(private readonly options: RuleEngineOptions) {
    this.store = new RuleStore(options.store, options.bus);
    this.clock = options.clock ?? Date.now;
    this.latenessMs = options.latenessMs ?? RULE_ENGINE_DEFAULTS.latenessMs;
    const { share, logger } = options;
    this.ownership = share
      ? new RuleLeases({ store: options.store, ...share, clock: this.clock, logger })
      : everyRule();
    this.host = new RuleHost({
      decided: (run, outputs) => this.decisions.act(run, outputs),
      failed: (err) => logger.error({ err }, 'facts not evaluated'),
      lost: (err) => this.restart(err),
      ...(options.inThread !== undefined && { inThread: options.inThread }),
      ...(options.workerScript !== undefined && { workerScript: options.workerScript }),
    });
    this.rebuilder = new RuleRebuilder({
      store: options.store,
      alerts: options.alerts,
      logger,
      clock: this.clock,
      latenessMs: this.latenessMs,
      maxFacts: options.rebuildMaxFacts ?? RULE_ENGINE_DEFAULTS.rebuildMaxFacts,
      host: this.host,
      open: this.open,
      current: (run) => !this.stopped && this.isCurrent(run),
      mayAct: (run) => this.mayActAll(run),
      lost: (run) => this.drop(run),
    });
    this.stats = Object.assign(this.rebuilder.stats, { fenced: 0 });
    this.decisions = new RuleDecisions({
      alerts: options.alerts,
      ownership: this.ownership,
      logger,
      open: this.open,
      isCurrent: (run) => this.isCurrent(run),
      drop: (run) => this.drop(run),
      stats: this.stats,
    });
    // The facts of a turn of the event loop go to the rules' thread together, in event-time
    // order, with the time up to which every fact that came is among them or sent before: facts
    // still on their way are not silence (a node behind its stream must not raise absences for
    // the sources whose facts it has not read yet).
    this.queue = new FactQueue(
      (batch) => this.host.facts(batch, this.caughtUpTo()),
      (err) => logger.error({ err }, 'facts not evaluated'),
      this.clock,
      Infinity,
    );
  }

  /** Seeds the rules, consumes the event stream, and takes the rules up (rebuilt meanwhile). */
  async start(): Promise<void> {
    await this.store.seed(this.options.rules);
    const { bus } = this.options;
    // Every node sees every fact (a fan-out, not a group): a rule's windows need all of them,
    // and each node evaluates the rules it holds. Subscribed before any history is read, so
    // that no fact falls between the history and the stream.
    this.subscriptions.push(
      await bus.subscribe({ topic: Topics.observation }, (e) =>
        this.onObservation(e.payload as Observation),
      ),
      await bus.subscribe({ topic: Topics.entityChanged }, (e) =>
        this.onChange(e.payload as EntityChange),
      ),
      await bus.subscribe({ topic: RULE_CHANGED }, () => this.reload()),
    );
    await this.ownership.start(() => void this.resync());
    await this.reload();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    this.options.logger.info({ thread: this.thread, rules: this.rules.length }, 'rules evaluating');
  }

  /** Stops consuming; the decisions under way are finished, then the rules are given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.regroupTimer);
    for (const s of this.subscriptions.splice(0)) await s.unsubscribe();
    // A node far behind its stream does not stop for its backlog: those facts are stored, and
    // whoever takes the rules up next rebuilds their state from the history.
    this.queue.finish(Infinity);
    const left = await this.host.shutdown(STOP_BUDGET_MS);
    if (left > 0)
      this.options.logger.warn(
        { facts: left },
        'facts not evaluated at stop: the next start rebuilds the rules from the history',
      );
    await this.settled();
    await this.ownership.stop();
  }

  /** Where the rules evaluate: a worker thread of their own, or this thread. */
  get thread(): 'worker' | 'in-thread' {
    return this.host.thread;
  }

  /** Runs in the rules' thread: rules evaluated as one (see groupRules), or alone. */
  get groups(): number {
    return this.handles.size;
  }

  /** Runs whose state is being rebuilt from the history (their live facts held back). */
  get rebuilding(): number {
    return [...this.handles].filter((r) => !r.live).length;
  }

  /** The active rules this node evaluates. */
  get rules(): Rule[] {
    return [...this.handles].flatMap((r) => r.rules);
  }

  /** The runs, each once (`runs` holds a run under each of its rules). */
  private get handles(): Set<RunHandle> {
    return new Set(this.runs.values());
  }

  /** The engines' counters, summed over the runs this node holds (as of their last answer). */
  engineStats(): EngineStats {
    return this.host.stats;
  }

  /** Memory of the windows and states held, in values (for the benchmark). */
  stateSize(): Promise<number> {
    return this.host.size(this.caughtUpTo());
  }

  /** Rebuilds and decisions under way are done (tests, shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      const { updating } = this;
      const rebuilding = this.rebuilder.idle();
      await this.queue.drained();
      await this.host.drained();
      await updating;
      await rebuilding;
      await this.decisions.idle();
      if (
        updating === this.updating &&
        !this.decisions.busy &&
        this.rebuilder.quiet &&
        this.queue.length === 0 &&
        !this.host.busy
      )
        return;
    }
  }

  /** The clock, or since when facts have been waiting for the rules if they have. */
  private caughtUpTo(): number {
    return Math.min(this.clock(), this.queue.waitingSince ?? Infinity);
  }

  /** Facts waiting for the rules, now and at most so far. */
  get backlog(): { waiting: number; peak: number } {
    return { waiting: this.queue.length + this.host.waiting, peak: this.queue.peak };
  }

  /** Lets event time pass with the clock for sources that fell silent (their deadlines). */
  tick(): void {
    this.host.tick(this.caughtUpTo());
  }

  /** The rules' thread died: every rule held is rebuilt from the history in a new one. */
  private restart(err: Error): void {
    this.options.logger.error(
      { err },
      'the rules thread failed: every rule is rebuilt from the history in a new one',
    );
    this.runs = new Map();
    this.types = new Set();
    this.open.clear();
    void this.resync();
  }

  private async onObservation(obs: Observation): Promise<void> {
    if (!this.types.has(obs.entityType)) return;
    let context = this.contexts.get(obs.entityId);
    if (!context) {
      const entity = await this.options.store.entities.get(obs.entityId);
      context = entity ? contextOf(entity) : {};
      this.contexts.set(obs.entityId, context);
    }
    this.queue.push(observationFact(obs, this.seq++, context));
  }

  private onChange(change: EntityChange): void {
    if (change.entity && this.contexts.has(change.id))
      this.contexts.set(change.id, contextOf(change.entity));
    const fact = changeFact(change, this.seq++, this.clock());
    if (fact && this.types.has(fact.entityType)) this.queue.push(fact);
  }

  /** True while the run is the one evaluating its rules. */
  private isCurrent(run: RunHandle): boolean {
    return this.runs.get(run.rules[0]!.id) === run;
  }

  /** True when this node still holds every rule of the run. */
  private async mayActAll(run: RunHandle): Promise<boolean> {
    for (const rule of run.rules) if (!(await this.ownership.mayAct(rule.id))) return false;
    return true;
  }

  /** Reads the active rules from the store (a reload asked while one waits joins it). */
  private reload(): Promise<void> {
    if (this.reloadQueued) return this.updating;
    this.reloadQueued = true;
    return this.update(async () => {
      this.reloadQueued = false;
      const stored = await this.store.list();
      this.active = new Map(stored.filter((s) => isActive(s.rule)).map((s) => [s.rule.id, s.rule]));
      await this.ownership.setRules([...this.active.keys()]);
      this.syncRuns();
    });
  }

  private resync(): Promise<void> {
    return this.update(async () => this.syncRuns());
  }

  private update(task: () => Promise<void>): Promise<void> {
    const next = this.updating
      .then(task)
      .catch((err: unknown) => this.options.logger.error({ err }, 'rules not reloaded'));
    this.updating = next;
    return next;
  }

  /**
   * Runs the active rules this node holds: a run whose rules are all still held and unchanged
   * keeps its state; the other rules (new, changed, newly held, or of a run broken up) are put
   * in new runs, grouped (see groupRules), and rebuilt from the history; the rest is let go.
   *
   * Rules taken up apart (put one after another, say) are in runs of their own, although
   * their group is one: every run costs each fact it reads. Once the rules have not changed
   * for `regroupAfterMs`, the runs of such a group are put together (`regroup`), rebuilt as one.
   */
  private syncRuns(regroup = false): void {
    if (this.stopped) return;
    const held = [...this.active.values()].filter((r) => this.ownership.holds(r.id));
    const heldIds = new Set(held.map((r) => r.id));
    const next = new Map<string, RunHandle>();
    const kept: RunHandle[] = [];
    for (const run of this.handles) {
      const same = run.rules.every(
        (r) => heldIds.has(r.id) && run.json.get(r.id) === JSON.stringify(this.active.get(r.id)),
      );
      if (same) kept.push(run);
    }
    const apart = regroup ? fragmented(kept) : new Set<RunHandle>();
    for (const run of kept) if (!apart.has(run)) for (const r of run.rules) next.set(r.id, run);
    const regrouped = new Set([...apart].flatMap((run) => run.rules.map((r) => r.id)));
    const causes = new Map<string, RebuildCause>();
    const fresh: Rule[] = [];
    for (const rule of held) {
      if (next.has(rule.id)) continue;
      const json = JSON.stringify(rule);
      const before = this.runs.get(rule.id)?.json.get(rule.id);
      causes.set(
        rule.id,
        before !== undefined && before !== json
          ? 'changed'
          : regrouped.has(rule.id)
            ? 'regrouped'
            : 'unseen',
      );
      try {
        evaluatorFor(rule); // a rule that cannot be evaluated is left out of its group
        fresh.push(rule);
      } catch (err) {
        if (this.broken.has(json)) continue;
        this.broken.add(json);
        this.options.logger.error({ err, rule: rule.id }, 'rule cannot be evaluated; skipped');
      }
    }
    const timing = { latenessMs: this.latenessMs, idleGraceMs: IDLE_GRACE_MS };
    const now = this.caughtUpTo();
    for (const group of groupRules(fresh)) {
      const run = new RunHandle(this.nextRun++, group);
      this.host.open(run, timing, now);
      for (const rule of group) next.set(rule.id, run);
      this.rebuilder.add(run, causes);
    }
    const staying = new Set(next.values());
    for (const [id, run] of this.runs)
      if (next.get(id) !== run) {
        this.forget(id);
        if (!staying.has(run)) this.host.close(run, now);
      }
    this.runs = next;
    this.types = new Set(routeTable(next.values()).keys());
    if (regroup && apart.size > 0)
      this.options.logger.info(
        { runs: apart.size, rules: regrouped.size, groups: this.groups },
        'rules evaluated apart put together again',
      );
    this.scheduleRegroup();
  }

  /** Regroups once the rules stay unchanged for a while, if some group is in several runs. */
  private scheduleRegroup(): void {
    clearTimeout(this.regroupTimer);
    if (this.stopped || fragmented(this.handles).size === 0) return;
    this.regroupTimer = setTimeout(
      () => void this.update(async () => this.syncRuns(true)),
      this.options.regroupAfterMs ?? RULE_ENGINE_DEFAULTS.regroupAfterMs,
    );
    this.regroupTimer.unref();
  }

  /** Lets a run go (a lease lost): re-shared at once, its rules rebuilt if held here again. */
  private drop(run: RunHandle): void {
    if (!this.isCurrent(run)) return;
    for (const rule of run.rules) {
      if (this.runs.get(rule.id) !== run) continue;
      this.runs.delete(rule.id);
      this.forget(rule.id);
    }
    this.host.close(run, this.caughtUpTo());
    this.types = new Set(routeTable(this.runs.values()).keys());
    void this.resync();
  }

  /** Forgets a rule's open alerts (whoever takes the rule up finds them in the store). */
  private forget(ruleId: string): void {
    const prefix = openKey(ruleId, '');
    for (const key of [...this.open.keys()]) if (key.startsWith(prefix)) this.open.delete(key);
  }
}

/** The runs whose group (see groupOfRule) is split over several runs. */
function fragmented(runs: Iterable<RunHandle>): Set<RunHandle> {
  const byGroup = new Map<string, RunHandle[]>();
  for (const run of runs) {
    const group = groupOfRule(run.rules[0]!);
    if (group === undefined) continue;
    const list = byGroup.get(group);
    if (list) list.push(run);
    else byGroup.set(group, [run]);
  }
  return new Set([...byGroup.values()].filter((list) => list.length > 1).flat());
}

/** How long a stop may go on applying the facts that wait, ms. */
const STOP_BUDGET_MS = 2000;

/** How long a source may be silent before its event time is taken to go on with the clock, ms. */
const IDLE_GRACE_MS = 5_000;
