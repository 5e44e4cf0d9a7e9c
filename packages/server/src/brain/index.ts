export * from './rules/rule-schema.js';
export {
  RuleEngine,
  RULE_ENGINE_DEFAULTS,
  type AlertSink,
  type RuleEngineOptions,
} from './rules/rule-engine.js';
export { LEASE_DEFAULTS } from './rules/rule-leases.js';
export { alertSink, describeSignal } from './rules/alert-sink.js';
export { RULE_CHANGED, RuleStore, checkRule, type StoredRule } from './rules/rule-store.js';
export { ruleProblems, isRule, RULE_KINDS, type RuleProblem } from './rules/rule-validation.js';
export { KeyedEngine, type EngineOutput, type EngineStats } from './rules/engine/keyed-engine.js';
export { evaluateBatch } from './rules/engine/evaluate-batch.js';
export type { Evaluator, Evidence, Fact, Signal } from './rules/engine/evaluator.js';
export { evaluatorFor } from './rules/kinds/index.js';
export * from './alerts/index.js';
export * from './command/index.js';
export { PM25_HIGH_RULE } from './rules/default-rules.js';
export { backtest, warmupMs, type Backtest } from './rules/backtest.js';
export {
  NotificationService,
  connectMqttPublisher,
  startNotifications,
  WEB_PORTS,
  type NotifySettings,
} from './notify/index.js';
