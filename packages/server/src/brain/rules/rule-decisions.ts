import type { Logger } from 'pino';
import { KeyedChains } from '../../core/index.js';
import type { AlertSink } from './alert-sink.js';
import type { EngineOutput } from './engine/keyed-engine.js';
import { openKey } from './rule-reconcile.js';
import type { RuleOwnership } from './rule-ownership.js';
import { strip } from './rule-replay.js';
import type { RunHandle } from './rule-host.js';
import type { Rule } from './rule-schema.js';

/** What acting on decisions needs from the rule engine. */
export interface RuleDecisionsOptions {
  alerts: AlertSink;
  ownership: RuleOwnership;
  logger: Logger;
  /** The open alert of each rule's key (shared with the rebuilder). */
  open: Map<string, string>;
  /** True while the run is the one evaluating its rules. */
  isCurrent: (run: RunHandle) => boolean;
  /** The run's rules are no longer all held here: let it go. */
  drop: (run: RunHandle) => void;
  /** `fenced`: decisions not acted on because this node no longer held their rule. */
  stats: { fenced: number };
}

/**
 * Acts on the engines' decisions while this node holds their rule: in the order they were made
 * for each rule and key (a raise before its clear), the keys side by side, so that a burst of
 * alerts from many rules is written together.
 */
export class RuleDecisions {
  private readonly chains = new KeyedChains();

  constructor(private readonly options: RuleDecisionsOptions) {}

  /** True while a decision waits or is acted on. */
  get busy(): boolean {
    return this.chains.busy;
  }

  /** Resolves when every decision taken so far is acted on. */
  idle(): Promise<void> {
    return this.chains.idle();
  }

  act(run: RunHandle, outputs: readonly EngineOutput[]): void {
    if (outputs.length === 0) return;
    const { logger, isCurrent } = this.options;
    const held = new Map<string, Promise<boolean>>();
    for (const output of outputs) {
      const rule = run.ruleOf(output.signal);
      void this.chains.run(openKey(rule.id, output.signal.key), async () => {
        // A run replaced or given up meanwhile: its successor's rebuild decides instead.
        if (!isCurrent(run)) return;
        let mine = held.get(rule.id);
        if (!mine) held.set(rule.id, (mine = this.holds(run, rule.id)));
        if (!(await mine)) {
          this.options.stats.fenced++;
          return;
        }
        await this.apply(rule, output).catch((err: unknown) =>
          logger.error({ err, rule: rule.id }, 'rule decision not acted on'),
        );
      });
    }
  }

  /** True when this node still holds the rule; when not, the run is let go. */
  private async holds(run: RunHandle, ruleId: string): Promise<boolean> {
    const { logger, ownership, drop } = this.options;
    try {
      if (await ownership.mayAct(ruleId)) return true;
      logger.warn({ rule: ruleId }, 'rule no longer held here: its decisions dropped');
    } catch (err) {
      logger.warn({ err, rule: ruleId }, 'rule lease not confirmed');
    }
    drop(run);
    return false;
  }

  private async apply(rule: Rule, output: EngineOutput): Promise<void> {
    const { alerts, open } = this.options;
    const signal = strip(output.signal);
    const key = openKey(rule.id, signal.key);
    if (output.type === 'revise') {
      // A late fact changed what a standing raise says: its open alert takes the new evidence.
      const alertId = open.get(key);
      if (signal.kind === 'raise' && alertId) await alerts.raise(rule, signal);
      return;
    }
    const raise = (output.type === 'emit') === (signal.kind === 'raise');
    if (raise) {
      if (!open.has(key)) open.set(key, await alerts.raise(rule, signal));
      return;
    }
    const alertId = open.get(key);
    open.delete(key);
    if (alertId) await alerts.resolve(alertId, signal, output.type === 'retract');
  }
}
