import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { parseTemporalView, parseTemporalWindow } from './temporal-params.js';

const instant = fc
  .integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2090-01-01T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());

describe('parseDuration', () => {
  it('reads any combination of weeks, days, hours, minutes and seconds', () => {
    const part = fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined });
    fc.assert(
      fc.property(part, part, part, part, part, (w, d, h, m, s) => {
        fc.pre([w, d, h, m, s].some((x) => x !== undefined));
        const date = `${w === undefined ? '' : `${w}W`}${d === undefined ? '' : `${d}D`}`;
        const hasTime = [h, m, s].some((x) => x !== undefined);
        const time = hasTime
          ? `T${h === undefined ? '' : `${h}H`}${m === undefined ? '' : `${m}M`}${s === undefined ? '' : `${s}S`}`
          : '';
        const expected =
          ((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60_000 + (s ?? 0) * 1000;
        expect(parseDuration(`P${date}${time}`)).toBe(expected);
      }),
    );
  });

  it('reads fractions and refuses calendar units and malformed text', () => {
    expect(parseDuration('PT0.5S')).toBe(500);
    expect(parseDuration('PT1H')).toBe(3_600_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    for (const text of ['P1M', 'P1Y', 'P1Y2M3D'])
      expect(() => parseDuration(text)).toThrow(
        expect.objectContaining({ code: 'OperationNotSupported' }),
      );
    for (const text of ['P', 'PT', '1h', 'PT1', 'P1H', 'PT1D', 'xP1D', ''])
      expect(() => parseDuration(text)).toThrow(
        expect.objectContaining({ code: 'BadRequestData' }),
      );
  });

  it('never throws anything but a CityError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          expect(parseDuration(text)).toBeGreaterThanOrEqual(0);
        } catch (err) {
          expect((err as { code?: string }).code).toMatch(/BadRequestData|OperationNotSupported/);
        }
      }),
    );
  });
});

describe('parseTemporalWindow', () => {
  it('turns before/after/between into a half-open window', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const [lo, hi] = Date.parse(a) <= Date.parse(b) ? [a, b] : [b, a];
        expect(parseTemporalWindow({ timerel: 'before', timeAt: lo })).toEqual({
          timeproperty: 'observedAt',
          to: Date.parse(lo),
        });
        expect(parseTemporalWindow({ timerel: 'after', timeAt: lo })).toEqual({
          timeproperty: 'observedAt',
          from: Date.parse(lo),
        });
        if (lo === hi) return;
        expect(parseTemporalWindow({ timerel: 'between', timeAt: lo, endTimeAt: hi })).toEqual({
          timeproperty: 'observedAt',
          from: Date.parse(lo),
          to: Date.parse(hi),
        });
      }),
    );
  });

  it('reads timeproperty and lastN from text or numbers', () => {
    expect(parseTemporalWindow({ timeproperty: 'modifiedAt', lastN: '3' })).toEqual({
      timeproperty: 'modifiedAt',
      lastN: 3,
    });
    expect(parseTemporalWindow({ lastN: 2 })).toEqual({ timeproperty: 'observedAt', lastN: 2 });
    for (const lastN of ['0', '-1', '1.5', 0, 2.5, 'x'])
      expect(() => parseTemporalWindow({ lastN })).toThrow(/lastN/);
  });
});

describe('parseTemporalView', () => {
  it('chooses the representation and the aggregation', () => {
    expect(parseTemporalView({})).toEqual({ format: 'normalized', sysAttrs: false, methods: [] });
    expect(parseTemporalView({ options: 'temporalValues,sysAttrs' })).toEqual({
      format: 'temporalValues',
      sysAttrs: true,
      methods: [],
    });
    expect(
      parseTemporalView({
        format: 'aggregatedValues',
        aggrMethods: 'avg,max,avg',
        aggrPeriodDuration: 'PT1H',
      }),
    ).toEqual({
      format: 'aggregatedValues',
      sysAttrs: false,
      methods: ['avg', 'max'],
      periodMs: 3_600_000,
    });
    expect(
      parseTemporalView({
        options: 'aggregatedValues',
        aggrMethods: 'sum',
        aggrPeriodDuration: 'P0D',
      }),
    ).toEqual({ format: 'aggregatedValues', sysAttrs: false, methods: ['sum'] });
    expect(() => parseTemporalView({ aggrMethods: 'avg' })).toThrow(
      /need options=aggregatedValues/,
    );
    expect(() => parseTemporalView({ format: 'sysAttrs' })).toThrow(/not supported/);
  });
});
