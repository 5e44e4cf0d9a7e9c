import { describe, expect, it } from 'vitest';
import { PM25_HIGH_RULE } from './default-rules.js';
import type { ThresholdRule } from './rule.js';
import { ThresholdEvaluator } from './threshold-evaluator.js';

const rule: ThresholdRule = { ...PM25_HIGH_RULE, forSeconds: 60 };
const s = (n: number) => n * 1000;

describe('ThresholdEvaluator', () => {
  it('raises once when the breach has lasted forSeconds, with the evidence', () => {
    const ev = new ThresholdEvaluator(rule);
    expect(ev.observe('a', s(0), 80).kind).toBe('none');
    expect(ev.observe('a', s(30), 90).kind).toBe('none');
    const raised = ev.observe('a', s(60), 95);
    expect(raised).toEqual({
      kind: 'raise',
      since: 0,
      evidence: [
        { observedAt: 0, value: 80 },
        { observedAt: s(30), value: 90 },
        { observedAt: s(60), value: 95 },
      ],
    });
    expect(ev.observe('a', s(90), 99).kind).toBe('none');
  });

  it('does not raise when the breach is interrupted before the duration', () => {
    const ev = new ThresholdEvaluator(rule);
    ev.observe('a', s(0), 80);
    ev.observe('a', s(50), 70);
    expect(ev.observe('a', s(100), 80).kind).toBe('none');
    expect(ev.observe('a', s(159), 80).kind).toBe('none');
    expect(ev.observe('a', s(160), 80).kind).toBe('raise');
  });

  it('clears once when the value returns below the threshold', () => {
    const ev = new ThresholdEvaluator(rule);
    ev.observe('a', s(0), 80);
    ev.observe('a', s(60), 80);
    expect(ev.observe('a', s(70), 20)).toMatchObject({ kind: 'clear', at: s(70) });
    expect(ev.observe('a', s(80), 20).kind).toBe('none');
  });

  it('keeps entities apart and ignores observations older than the newest seen', () => {
    const ev = new ThresholdEvaluator(rule);
    ev.observe('a', s(0), 80);
    ev.observe('b', s(0), 10);
    expect(ev.observe('a', s(-10), 10).kind).toBe('none');
    expect(ev.observe('a', s(60), 80).kind).toBe('raise');
    expect(ev.observe('b', s(60), 10).kind).toBe('none');
    expect(ev.size).toBe(2);
  });

  it('does not raise again after a restart restored an open alert', () => {
    const ev = new ThresholdEvaluator(rule);
    ev.restoreRaised('a', s(0));
    expect(ev.observe('a', s(100), 90).kind).toBe('none');
    expect(ev.observe('a', s(110), 10).kind).toBe('clear');
  });
});
