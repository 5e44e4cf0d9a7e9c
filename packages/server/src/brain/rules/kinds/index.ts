import type { Evaluator } from '../engine/evaluator.js';
import type { Rule } from '../rule-schema.js';
import { absenceEvaluator } from './absence.js';
import { aggregateEvaluator } from './aggregate.js';
import { correlationEvaluator } from './correlation.js';
import { countInAreaEvaluator } from './count-in-area.js';
import { geofenceEvaluator } from './geofence.js';
import { rateEvaluator } from './rate.js';
import { thresholdEvaluator } from './threshold.js';

/**
 * The evaluator of a rule, by its kind. Throws BadRequestData when the rule cannot be evaluated
 * (an aggregate without the attribute it reads, a percentile without `percentile`, an area that
 * is no polygon).
 */
export function evaluatorFor(rule: Rule): Evaluator<unknown> {
  switch (rule.kind) {
    case 'threshold':
      return thresholdEvaluator(rule);
    case 'aggregate':
      return aggregateEvaluator(rule);
    case 'rate':
      return rateEvaluator(rule);
    case 'absence':
      return absenceEvaluator(rule);
    case 'geofence':
      return geofenceEvaluator(rule);
    case 'countInArea':
      return countInAreaEvaluator(rule);
    case 'correlation':
      return correlationEvaluator(rule);
  }
}
