import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  backtestBody,
  convert,
  definitionOf,
  RULE_STATUSES,
  ruleText,
  statusOf,
  withStatus,
  type RuleFormat,
} from './rule-text.js';

const RULE = {
  id: 'pm25-high',
  kind: 'threshold',
  name: 'PM2.5 above 75 µg/m³',
  select: { entityType: 'AirQualityObserved' },
  attribute: 'pm25',
  operator: '>',
  value: 75,
  severity: 'high',
  category: 'environment',
};
const PERIOD = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' };
/** How the server reads a body of either format. */
const read = (format: RuleFormat, text: string): unknown =>
  format === 'json' ? JSON.parse(text) : parse(text);

const ruleLike = fc.record({
  id: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  name: fc.string(),
  value: fc.double({ noNaN: true, noDefaultInfinity: true }),
  select: fc.record({ entityType: fc.string({ minLength: 1 }) }),
  status: fc.option(fc.constantFrom(...RULE_STATUSES), { nil: undefined }),
});

describe('rule text', () => {
  it('leaves the stored version out of the editable rule', () => {
    const stored = { ...RULE, version: 3, updatedAt: 'x', updatedBy: 'operator' };
    expect(definitionOf(stored)).toEqual(RULE);
  });

  it('changes the status in either format, keeping the rest', () => {
    fc.assert(
      fc.property(
        ruleLike,
        fc.constantFrom<RuleFormat>('json', 'yaml'),
        fc.constantFrom(...RULE_STATUSES),
        (rule, format, status) => {
          const def = JSON.parse(JSON.stringify(rule)) as Record<string, unknown>;
          const changed = withStatus(ruleText(def, format), status)!;
          expect(statusOf(changed)).toBe(status);
          expect(read(format, changed.text)).toEqual({ ...def, status });
        },
      ),
    );
  });

  it('reads a missing status as active, and a YAML status with quotes or a comment', () => {
    expect(statusOf(ruleText(RULE, 'yaml'))).toBe('active');
    expect(statusOf({ format: 'yaml', text: "id: a\nstatus: 'paused' # for now\n" })).toBe(
      'paused',
    );
    expect(statusOf({ format: 'json', text: '{ "id": ' })).toBeUndefined();
    expect(withStatus({ format: 'json', text: '{ "id": ' }, 'draft')).toBeUndefined();
  });

  it('converts JSON to YAML and back, edited or not; not YAML that does not parse', () => {
    const yaml = convert(ruleText(RULE, 'json'), 'yaml')!;
    expect(parse(yaml.text)).toEqual(RULE);
    expect(JSON.parse(convert(yaml, 'json')!.text)).toEqual(RULE);
    const edited = convert(
      { format: 'yaml', text: `${yaml.text}description: hot # why\n` },
      'json',
    );
    expect(JSON.parse(edited!.text)).toEqual({ ...RULE, description: 'hot' });
    expect(convert({ format: 'yaml', text: 'id: [unclosed\n' }, 'json')).toBeUndefined();
  });

  it('changes a YAML status in place, keeping the author’s comments', () => {
    const text = "# the city's hot rooms\nid: a\nstatus: active # on\n";
    const paused = withStatus({ format: 'yaml', text }, 'paused')!;
    expect(paused.text).toContain("# the city's hot rooms");
    expect(parse(paused.text)).toEqual({ id: 'a', status: 'paused' });
  });

  it('nests a draft under `rule` in a backtest body the server reads', () => {
    for (const format of ['json', 'yaml'] as const) {
      const body = backtestBody(PERIOD, ruleText(RULE, format));
      expect(read(format, body)).toEqual({ ...PERIOD, rule: RULE });
    }
    const typed = backtestBody(PERIOD, {
      format: 'yaml',
      text: '---\nid: a # typed\nclear:\n  value: 1\n\nname: b\n',
    });
    expect(parse(typed)).toEqual({ ...PERIOD, rule: { id: 'a', clear: { value: 1 }, name: 'b' } });
  });
});
