import type { Logger } from 'pino';
import { Topics, type Bus, type BusSubscription } from '../../bus/index.js';
import type { Entity, Observation, Property, Relationship } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { Rule } from './rule.js';
import { ThresholdEvaluator } from './threshold-evaluator.js';

/** Options of the rule engine. */
export interface RuleEngineOptions {
  rules: Rule[];
  bus: Bus;
  store: Store;
  alerts: AlertService;
  logger: Logger;
}

/** Runs the active rules over accepted observations and raises or resolves alerts. */
export class RuleEngine {
  private readonly evaluators: ThresholdEvaluator[];
  /** Open alert per `${ruleId} ${entityId}`. */
  private readonly openAlerts = new Map<string, string>();
  private subscription: BusSubscription | undefined;

  constructor(private readonly options: RuleEngineOptions) {
    this.evaluators = options.rules.map((r) => new ThresholdEvaluator(r));
  }

  /** Restores open alerts and starts consuming observations. */
  async start(): Promise<void> {
    for (const alert of await this.options.alerts.open()) {
      const ruleId = (alert.rule as Property | undefined)?.value;
      const source = (alert.alertSource as Relationship | undefined)?.object;
      const since = Date.parse(String((alert.validFrom as Property | undefined)?.value));
      const evaluator = this.evaluators.find((e) => e.rule.id === ruleId);
      if (!evaluator || typeof source !== 'string') continue;
      evaluator.restoreRaised(source, since);
      this.openAlerts.set(`${evaluator.rule.id} ${source}`, alert.id);
    }
    this.subscription = await this.options.bus.subscribe(
      { topic: Topics.observation, group: 'rules' },
      (event) => this.evaluate(event.payload as Observation),
    );
  }

  /** The rules in force. */
  get rules(): Rule[] {
    return this.evaluators.map((e) => e.rule);
  }

  private async evaluate(obs: Observation): Promise<void> {
    for (const evaluator of this.evaluators) {
      const rule = evaluator.rule;
      if (rule.entityType !== obs.entityType) continue;
      const value = obs.attrs[rule.attribute]?.value;
      if (typeof value !== 'number') continue;
      const decision = evaluator.observe(obs.entityId, obs.observedAt, value);
      const key = `${rule.id} ${obs.entityId}`;
      if (decision.kind === 'raise') {
        const source: Entity = (await this.options.store.entities.get(obs.entityId)) ?? {
          id: obs.entityId,
          type: obs.entityType,
        };
        const alert = await this.options.alerts.raise({
          rule,
          source,
          since: decision.since,
          at: obs.observedAt,
          evidence: decision.evidence,
        });
        this.openAlerts.set(key, alert.id);
      } else if (decision.kind === 'clear') {
        const alertId = this.openAlerts.get(key);
        this.openAlerts.delete(key);
        if (alertId) await this.options.alerts.resolve(alertId, decision.at);
      }
    }
  }

  /** Stops consuming. */
  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
