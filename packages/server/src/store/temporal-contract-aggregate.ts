import { expect, it } from 'vitest';
import type { Attribute } from '../core/index.js';
import type { TemporalQuery, TemporalStore } from './port.js';
import { ALL, E, GPS, instance, iso, MIN, NOW, q, speed, t0 } from './temporal-contract-data.js';

/**
 * The aggregation half of the temporal contract (clause 4.5.19), run inside
 * describeTemporalContract on a fresh history per test.
 */
export function describeAggregationContract(getStore: () => TemporalStore): void {
  const aggregate = async (extra: Partial<TemporalQuery>, periodMs?: number) =>
    (await getStore().aggregate(q(extra), ALL, periodMs)).map((s) => ({
      ...s,
      values: Object.fromEntries(s.values.map((v) => [`${v.method}@${v.start}`, v.value])),
    }));

  it('aggregates numbers in periods, matching hand-computed values', async () => {
    // Hour 0: 2, 4, 4, 4, 5, 5, 7, 9 (minutes 0..7); hour 1: 10 and 20.
    const hour0 = [2, 4, 4, 4, 5, 5, 7, 9].map((v, i) => speed(i, v));
    await getStore().append([...hour0, speed(60, 10), speed(90, 20)]);
    const [series] = await getStore().aggregate(q({ from: t0 }), ALL, 3_600_000);
    const at = (method: string, start: number) =>
      series?.values.find((v) => v.method === method && v.start === start)?.value;
    expect(at('totalCount', t0)).toBe(8);
    expect(at('distinctCount', t0)).toBe(5);
    expect(at('sum', t0)).toBe(40);
    expect(at('avg', t0)).toBe(5);
    expect(at('min', t0)).toBe(2);
    expect(at('max', t0)).toBe(9);
    expect(at('sumsq', t0)).toBe(232);
    // Sample standard deviation: sqrt(32 / 7).
    expect(at('stddev', t0)).toBeCloseTo(Math.sqrt(32 / 7), 10);
    const second = t0 + 3_600_000;
    expect(at('avg', second)).toBe(15);
    expect(at('stddev', second)).toBeCloseTo(Math.sqrt(50), 10);
    expect(series?.values.find((v) => v.start === second)?.end).toBe(second + 3_600_000);
    // Without a period, one value over the whole range.
    const [whole] = await getStore().aggregate(q(), ['avg', 'totalCount'], undefined);
    expect(whole?.values).toEqual([
      { method: 'avg', value: 70 / 10, start: t0, end: t0 + 90 * MIN },
      { method: 'totalCount', value: 10, start: t0, end: t0 + 90 * MIN },
    ]);
    // Periods start at the oldest instance of the answer when there is no lower bound.
    const [late] = await getStore().aggregate(q({ to: t0 + 95 * MIN }), ['totalCount'], 1_800_000);
    expect(late?.values.map((v) => [v.start - t0, v.value, v.end - t0])).toEqual([
      [0, 8, 30 * MIN],
      [60 * MIN, 1, 90 * MIN],
      [90 * MIN, 1, 120 * MIN],
    ]);
    expect(await getStore().aggregate(q({ from: t0 + 10e9 }), ['avg'])).toEqual([]);
  });

  it('aggregates what is not a number as SQLite compares it', async () => {
    const at = (attr: string, minute: number, attribute: Partial<Attribute>) =>
      instance(attr, {
        type: 'Property',
        observedAt: iso(t0 + minute * MIN),
        ...attribute,
      } as Attribute);
    await getStore().append([
      at('state', 0, { value: 'moving' }),
      at('state', 1, { value: 'idle' }),
      at('state', 2, { value: 'moving' }),
      at('state', 3, { value: 'Zebra' }),
      at('flag', 0, { value: true }),
      at('flag', 1, { value: false }),
      at('flag', 2, { value: true }),
      at('mixed', 0, { value: 5 }),
      at('mixed', 1, { value: 'five' }),
      at('mixed', 2, { value: 7, accuracy: { type: 'Property', value: 1 } }),
      at('mixed', 3, { value: { x: 1 } }),
      at('owner', 0, { type: 'Relationship', object: 'urn:b' }),
      at('owner', 1, { type: 'Relationship', object: 'urn:a' }),
      at('label', 0, {
        type: 'LanguageProperty',
        languageMap: { en: 'x' },
      }),
    ]);
    const got = Object.fromEntries(
      (await aggregate({})).map((s) => [s.attr, s.values] as const),
    ) as Record<string, Record<string, unknown>>;
    const v = (attr: string, method: string) => got[attr]?.[`${method}@${t0}`];
    expect(['state', 'flag', 'mixed', 'owner', 'label'].map((a) => v(a, 'totalCount'))).toEqual([
      4, 3, 4, 2, 1,
    ]);
    // Text compares byte-wise: upper case sorts first.
    expect([v('state', 'min'), v('state', 'max'), v('state', 'distinctCount')]).toEqual([
      'Zebra',
      'moving',
      3,
    ]);
    expect([v('state', 'sum'), v('state', 'avg'), v('state', 'stddev')]).toEqual([
      null,
      null,
      null,
    ]);
    // Booleans compare as 1 and 0.
    expect([v('flag', 'min'), v('flag', 'max'), v('flag', 'distinctCount')]).toEqual([0, 1, 2]);
    // Numbers sort before text; a JSON object compares as its text ('{' after 'f').
    expect([v('mixed', 'min'), v('mixed', 'max'), v('mixed', 'distinctCount')]).toEqual([
      5,
      '{"x":1}',
      4,
    ]);
    expect([v('mixed', 'sum'), v('mixed', 'sumsq')]).toEqual([12, 74]);
    expect([v('owner', 'min'), v('owner', 'max')]).toEqual(['urn:a', 'urn:b']);
    expect(v('label', 'max')).toBe('{"type":"LanguageProperty","languageMap":{"en":"x"}}');
  });

  it('answers every series that has history, with no values where none is in range', async () => {
    await getStore().append([
      speed(0, 1),
      instance('name', { type: 'Property', value: 'x', observedAt: iso(t0 + 500 * MIN) }),
    ]);
    const got = await getStore().aggregate(q({ to: t0 + MIN }), ['totalCount'], 60_000);
    expect(got.map((s) => [s.attr, s.values.length])).toEqual([
      ['name', 0],
      ['speed', 1],
    ]);
    await getStore().deleteAttribute(E, 'name', undefined, true);
    const after = await getStore().aggregate(q({ to: t0 + MIN }), ['totalCount'], 60_000);
    expect(after.map((s) => s.attr)).toEqual(['speed']);
  });

  it('aggregates on createdAt and per dataset', async () => {
    await getStore().append([
      { ...speed(0, 1), createdAt: NOW, modifiedAt: NOW },
      { ...speed(1, 3), createdAt: NOW + MIN, modifiedAt: NOW + MIN },
      { ...speed(2, 8, GPS), createdAt: NOW + 2 * MIN, modifiedAt: NOW + 2 * MIN },
    ]);
    const got = await getStore().aggregate(
      q({ timeproperty: 'createdAt', from: NOW }),
      ['sum', 'max'],
      MIN,
    );
    expect(
      got.map((s) => [s.datasetId, s.values.map((v) => [v.method, v.value, v.start])]),
    ).toEqual([
      [
        undefined,
        [
          ['sum', 1, NOW],
          ['max', 1, NOW],
          ['sum', 3, NOW + MIN],
          ['max', 3, NOW + MIN],
        ],
      ],
      [
        GPS,
        [
          ['sum', 8, NOW + 2 * MIN],
          ['max', 8, NOW + 2 * MIN],
        ],
      ],
    ]);
  });
}
