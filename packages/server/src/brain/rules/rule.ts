/** Severities of the Smart Data Models Alert. */
export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** "attribute above/below a value for at least N seconds", per entity of a type. */
export interface ThresholdRule {
  id: string;
  kind: 'threshold';
  name: string;
  entityType: string;
  attribute: string;
  operator: '>' | '>=' | '<' | '<=';
  value: number;
  forSeconds: number;
  severity: Severity;
  category: string;
  subCategory: string;
}

/** Every kind of rule (more kinds arrive with the rules issue). */
export type Rule = ThresholdRule;

/** True when `observed` breaches the rule's threshold. */
export function breaches(rule: ThresholdRule, observed: number): boolean {
  switch (rule.operator) {
    case '>':
      return observed > rule.value;
    case '>=':
      return observed >= rule.value;
    case '<':
      return observed < rule.value;
    case '<=':
      return observed <= rule.value;
  }
}
