import type { Evaluator } from '../engine/evaluator.js';
import type { Rule } from '../rule-schema.js';
import { thresholdEvaluator } from './threshold.js';

/** The evaluator of a rule, by its kind. */
export function evaluatorFor(rule: Rule): Evaluator<unknown> {
  switch (rule.kind) {
    case 'threshold':
      return thresholdEvaluator(rule) as Evaluator<unknown>;
    default:
      throw new Error(`rules of kind ${rule.kind} are not evaluated yet`);
  }
}
