import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  AbsenceRuleSchema,
  AggregateRuleSchema,
  CorrelationRuleSchema,
  CountInAreaRuleSchema,
  GeofenceRuleSchema,
  RateRuleSchema,
  ThresholdRuleSchema,
  type Rule,
  type RuleKind,
} from './rule-schema.js';

/** One problem of a rule: where (a JSON pointer into the rule) and what. */
export interface RuleProblem {
  instancePath: string;
  message: string;
}

const BY_KIND: Record<RuleKind, TSchema> = {
  threshold: ThresholdRuleSchema,
  aggregate: AggregateRuleSchema,
  rate: RateRuleSchema,
  absence: AbsenceRuleSchema,
  geofence: GeofenceRuleSchema,
  countInArea: CountInAreaRuleSchema,
  correlation: CorrelationRuleSchema,
};
export const RULE_KINDS = Object.keys(BY_KIND) as RuleKind[];

const compiled = new Map<RuleKind, ReturnType<typeof Compile>>();
function checkerOf(kind: RuleKind) {
  let checker = compiled.get(kind);
  if (!checker) compiled.set(kind, (checker = Compile(BY_KIND[kind])));
  return checker;
}

/**
 * What is wrong with a rule, judged against the schema of its `kind` only (the schema of all
 * rules is a union: its errors would list every other kind's complaints). Empty when valid.
 * Never changes the value: an unknown property is a problem, not silently dropped.
 */
export function ruleProblems(value: unknown): RuleProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ instancePath: '', message: 'a rule is an object' }];
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(kind in BY_KIND))
    return [{ instancePath: '/kind', message: `must be one of ${RULE_KINDS.join(', ')}` }];
  const checker = checkerOf(kind as RuleKind);
  if (checker.Check(value)) return [];
  return readable(checker.Errors(value));
}

/** True when `value` is a valid rule (its `kind`'s schema). */
export function isRule(value: unknown): value is Rule {
  return ruleProblems(value).length === 0;
}

interface RawError {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

/**
 * TypeBox's errors made readable: an enumeration's `const` failures and their `anyOf` become
 * "must be one of …"; a property the schema does not know is named once.
 */
function readable(errors: readonly RawError[]): RuleProblem[] {
  const out: RuleProblem[] = [];
  const seen = new Set<string>();
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const') {
      allowed.set(e.instancePath, [...(allowed.get(e.instancePath) ?? []), e.params.allowedValue]);
      continue;
    }
    let problem: RuleProblem;
    if (e.keyword === 'boolean' && e.message === 'schema is false')
      problem = { instancePath: e.instancePath, message: 'is not a property of this kind of rule' };
    else if (e.keyword === 'additionalProperties') continue;
    else if (e.keyword === 'anyOf' && allowed.has(e.instancePath)) {
      problem = {
        instancePath: e.instancePath,
        message: `must be one of ${allowed.get(e.instancePath)!.join(', ')}`,
      };
      allowed.delete(e.instancePath);
    } else problem = { instancePath: e.instancePath, message: e.message };
    const id = `${problem.instancePath} ${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(problem);
  }
  for (const [instancePath, values] of allowed)
    out.push({ instancePath, message: `must be ${values.join(' or ')}` });
  return out;
}
