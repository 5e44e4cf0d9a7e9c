import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../model.js';
import { evidenceData, evidencePlan } from './evidence-series.js';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const alert: Alert = {
  id: 'a',
  type: 'Alert',
  severity: 'high',
  status: 'raised',
  dateIssued: iso(60),
  validFrom: iso(30),
  alertSource: 'urn:ngsi-ld:AirQualityObserved:aq-1',
  evidence: [
    {
      observedAt: iso(30),
      value: 80,
      attr: 'pm25',
      entityId: 'urn:ngsi-ld:AirQualityObserved:aq-1',
    },
    {
      observedAt: iso(60),
      value: 90,
      attr: 'pm25',
      entityId: 'urn:ngsi-ld:AirQualityObserved:aq-1',
    },
  ],
};
const rule = { id: 'pm25-high', attribute: 'pm25', operator: '>', value: 75 };

describe('evidence chart', () => {
  it("charts the source's attribute around the alert, up to now while it is open", () => {
    const plan = evidencePlan(alert, rule, T0 + 120_000)!;
    expect(plan).toMatchObject({ entityId: alert.alertSource, attr: 'pm25', threshold: 75 });
    expect(plan.from).toBe(iso(30 - 300));
    expect(plan.to).toBe(iso(120));
    expect(plan.alertFrom).toBe((T0 + 30_000) / 1000);
  });

  it('ends a little after a resolved alert, and takes the attribute from the rule if need be', () => {
    const resolved: Alert = { ...alert, status: 'resolved', validTo: iso(200), evidence: [] };
    const plan = evidencePlan(resolved, rule, T0 + 3_600_000)!;
    expect(plan.to).toBe(iso(500));
    expect(plan.attr).toBe('pm25');
    expect(evidencePlan({ ...resolved, alertSource: undefined }, rule, T0)).toBeUndefined();
    expect(evidencePlan({ ...resolved }, undefined, T0)).toBeUndefined();
  });

  it('puts history and evidence on one time axis, in order, numbers only', () => {
    const [xs, values, marks] = evidenceData(
      [
        [70, iso(10)],
        [80, iso(30)],
        ['n/a', iso(40)],
      ],
      [
        { observedAt: iso(30), value: 80 },
        { observedAt: iso(45), value: 85 },
      ],
    );
    expect(xs).toEqual([10, 30, 45].map((s) => (T0 + s * 1000) / 1000));
    expect(values).toEqual([70, 80, null]);
    expect(marks).toEqual([null, 80, 85]);
  });

  it('never loses a point nor disorders the axis', () => {
    const point = fc.tuple(
      fc.integer({ min: 0, max: 600 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.array(point), fc.array(point), (history, evidence) => {
        const [xs, values, marks] = evidenceData(
          history.map(([s, v]) => [v, iso(s)]),
          evidence.map(([s, v]) => ({ observedAt: iso(s), value: v })),
        );
        expect([...xs].sort((a, b) => a - b)).toEqual(xs);
        expect(new Set(xs).size).toBe(xs.length);
        expect(xs.length).toBe(new Set([...history, ...evidence].map(([s]) => s)).size);
        expect(values.filter((v) => v !== null).length).toBe(new Set(history.map(([s]) => s)).size);
        expect(marks.filter((v) => v !== null).length).toBe(new Set(evidence.map(([s]) => s)).size);
      }),
    );
  });
});
