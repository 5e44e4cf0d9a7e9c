export type { Rule, ThresholdRule, Severity } from './rules/rule.js';
export { RuleEngine, type RuleEngineOptions } from './rules/rule-engine.js';
export { AlertService } from './alerts/alert-service.js';
export { PM25_HIGH_RULE } from './rules/default-rules.js';
