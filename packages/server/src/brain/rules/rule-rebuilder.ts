import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';
import type { AlertSink, OpenAlert } from './alert-sink.js';
import { reconcile, type Reconciled } from './rule-reconcile.js';
import type { RuleHost, RunHandle } from './rule-host.js';
import { readBatch, type HistoryBatch, type RunReplayed } from './rule-replay.js';

/**
 * Why a rule's state is rebuilt: it was not evaluated for a while, it changed, or it is put
 * together with other rules it was evaluated apart from (see RuleEngine's regrouping).
 */
export type RebuildCause = 'unseen' | 'changed' | 'regrouped';

/** Why each rule of a run is rebuilt, by rule id (`unseen` when not said). */
export type Causes = ReadonlyMap<string, RebuildCause>;

/** What an alert resolved by a rebuild says, by cause. */
const REASONS: Record<RebuildCause, string> = {
  unseen:
    'the condition ended while the rule was not evaluated (a restart, or a takeover by another node)',
  changed: 'the condition does not hold under the changed rule',
  regrouped: 'the condition does not hold any more (found when the rule state was rebuilt)',
};

/** Counters of the rebuilds. */
export interface RebuildStats {
  /** Rules whose state was rebuilt from the history. */
  rebuilds: number;
  /** Stored facts read by rebuilds. */
  rebuildFacts: number;
  /** Rebuild reads cut at the cap (part of a type's history left unread). */
  rebuildsCut: number;
  /** Open alerts resolved, and alerts raised, by rebuilds. */
  resolvedOnRebuild: number;
  raisedOnRebuild: number;
}

/** What the rebuilder works with; the engine decides which runs are current and held. */
export interface RuleRebuilderOptions {
  store: Store;
  alerts: AlertSink;
  logger: Logger;
  clock: () => number;
  latenessMs: number;
  /** The most facts read per entity type and batch. */
  maxFacts: number;
  /** The rules' thread, where the runs' engines replay the history. */
  host: RuleHost;
  /** The engine's open alert of each rule's key: filled in for each rule rebuilt. */
  open: Map<string, string>;
  /** False once the run was replaced or let go (its rebuild is abandoned). */
  current(run: RunHandle): boolean;
  mayAct(run: RunHandle): boolean | Promise<boolean>;
  /** The run's rule is no longer held by this node. */
  lost(run: RunHandle): void;
}

/** How often a long rebuild reports its progress, ms. */
const PROGRESS_MS = 5000;
/** A batch starts once no rule was added for this long, ms (one history read for a burst). */
const GATHER_MS = 50;
/** And at the latest this long after its first rule, ms. */
const GATHER_MAX_MS = 2000;
/** How long before a rebuild whose history could not be read is tried again, ms. */
const RETRY_MS = 5000;

/**
 * Rebuilds the state of the rules taken up: the rules waiting are rebuilt together (one read
 * of each entity type's history for all of them), one batch at a time; each rule's stored
 * facts are replayed through its engine, its open alerts are taken up again (`reconcile`),
 * then the live facts that waited are applied and the rule goes live.
 */
export class RuleRebuilder {
  readonly stats: RebuildStats = {
    rebuilds: 0,
    rebuildFacts: 0,
    rebuildsCut: 0,
    resolvedOnRebuild: 0,
    raisedOnRebuild: 0,
  };
  private pending: { run: RunHandle; causes: Causes }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private busy = false;

  constructor(private readonly options: RuleRebuilderOptions) {}

  /** Rebuilds a run (with the others waiting) before it goes live; `causes` by rule id. */
  add(run: RunHandle, causes: Causes): void {
    this.pending.push({ run, causes });
    if (this.queued) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      await this.gather();
      this.queued = false;
      const batch = this.pending.splice(0).filter((p) => this.options.current(p.run));
      if (batch.length === 0) return;
      this.busy = true;
      try {
        await this.rebuild(batch);
      } catch (err) {
        this.options.logger.error({ err }, 'rule state rebuild failed');
        // Live all the same, from now: a rule that cannot be rebuilt still evaluates what comes.
        for (const { run } of batch)
          if (this.options.current(run) && !run.live)
            await this.options.host.goLive(run, undefined, this.options.clock()).catch(() => 0);
      } finally {
        this.busy = false;
      }
    });
  }

  /** Waits while rules keep coming (rules put one after another are rebuilt together). */
  private async gather(): Promise<void> {
    const started = performance.now();
    let seen = -1;
    while (this.pending.length !== seen && performance.now() - started < GATHER_MAX_MS) {
      seen = this.pending.length;
      await new Promise((r) => setTimeout(r, GATHER_MS));
    }
  }

  /** Resolves once the rebuilds asked so far are done. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** True when no rebuild waits or runs. */
  get quiet(): boolean {
    return !this.queued && !this.busy && this.pending.length === 0;
  }

  private async rebuild(batch: { run: RunHandle; causes: Causes }[]): Promise<void> {
    const { logger, store, clock, latenessMs, maxFacts } = this.options;
    const started = performance.now();
    const rules = batch.flatMap((p) => p.run.rules);
    let history: HistoryBatch;
    let alerts: OpenAlert[];
    const readAt = clock();
    try {
      history = await readBatch(rules, { store, now: readAt, latenessMs, maxFacts });
      alerts = await this.options.alerts.openAlerts();
    } catch (err) {
      logger.error(
        { err, rules: rules.length, retryInMs: RETRY_MS },
        'rule state not rebuilt: the history could not be read',
      );
      setTimeout(() => batch.forEach((p) => this.add(p.run, p.causes)), RETRY_MS).unref();
      return;
    }
    const readMs = Math.round(performance.now() - started);
    logger.info(
      { rules: rules.length, facts: history.facts, types: history.histories.size, readMs },
      'rebuilding rule state from the history',
    );
    if (history.cut.length > 0) {
      this.stats.rebuildsCut += history.cut.length;
      logger.warn(
        { types: history.cut, maxFacts },
        'rule state rebuilt from part of the history: the read stopped at the cap; alerts it cannot decide are left as they are',
      );
    }
    const total: Reconciled = { kept: 0, undecided: 0, resolved: 0, raised: 0 };
    let reported = performance.now();
    // Every run's replay is asked at once: the rules' thread answers them in turn, each after
    // the facts sent before it (one wait for a thread behind its stream, not one per run).
    const replays = batch.map(({ run }) =>
      this.options.current(run)
        ? this.options.host.replay(run, history, readAt, latenessMs)
        : Promise.reject(new Error('run let go')),
    );
    for (const r of replays) r.catch(() => undefined); // each is awaited in turn below
    try {
      for (const [i, { run, causes }] of batch.entries()) {
        if (!this.options.current(run)) continue;
        const done = await this.rebuildOne(run, causes, history, alerts, replays[i]!);
        for (const k of Object.keys(total) as (keyof Reconciled)[]) total[k] += done?.[k] ?? 0;
        if (performance.now() - reported > PROGRESS_MS) {
          reported = performance.now();
          logger.info({ done: i + 1, of: batch.length }, 'rebuilding rule state');
        }
      }
    } finally {
      this.options.host.forget(history, clock());
    }
    this.stats.rebuildFacts += history.facts;
    logger.info(
      { rules: rules.length, ms: Math.round(performance.now() - started), ...total },
      'rule state rebuilt',
    );
  }

  /** Replays, reconciles and sets one run live; undefined when it was let go meanwhile. */
  private async rebuildOne(
    run: RunHandle,
    causes: Causes,
    history: HistoryBatch,
    alerts: readonly OpenAlert[],
    replaying: Promise<RunReplayed>,
  ): Promise<Reconciled | undefined> {
    const { logger, clock, host } = this.options;
    const ids = run.rules.map((r) => r.id);
    let done: Reconciled | undefined;
    try {
      const replayed = await replaying;
      if (!this.options.current(run)) return undefined;
      if (!(await this.options.mayAct(run))) {
        this.options.lost(run);
        return undefined;
      }
      done = { kept: 0, undecided: 0, resolved: 0, raised: 0 };
      for (const rule of run.rules) {
        const one = await reconcile({
          rule,
          replayed: replayed.of(rule.id),
          alerts: alerts.filter((a) => a.ruleId === rule.id),
          sink: this.options.alerts,
          reason: REASONS[causes.get(rule.id) ?? 'unseen'],
          open: this.options.open,
        });
        for (const k of Object.keys(done) as (keyof Reconciled)[]) done[k] += one[k];
        this.stats.rebuilds++;
      }
      this.stats.resolvedOnRebuild += done.resolved;
      this.stats.raisedOnRebuild += done.raised;
      logger.debug({ rules: ids, facts: replayed.facts, ...done }, 'rule state rebuilt');
    } catch (err) {
      // Live all the same: a rule that cannot be rebuilt still evaluates what comes now.
      if (this.options.current(run))
        logger.error({ err, rules: ids }, 'rule state not rebuilt, or its alerts not taken up');
    }
    if (!this.options.current(run)) return done;
    // Not waited for: the thread applies it after the facts sent before, the decisions come as
    // any others (and the next run's reconciliation need not wait behind them).
    host.goLive(run, history, clock()).then(
      (skipped) =>
        skipped > 0 && logger.debug({ rules: ids, skipped }, 'live facts the history held'),
      () => undefined,
    );
    return done;
  }
}
