import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity, Observation } from '../../core/index.js';
import { CYCLE_MS } from './series-log.js';
import { SqliteStore } from './sqlite-store.js';

const IDS = ['urn:ngsi-ld:T:0', 'urn:ngsi-ld:T:1', 'urn:ngsi-ld:T:2'];
const ATTRS = ['a', 'b'];

type Op =
  | { kind: 'ingest'; id: number; attr: number; t: number; value: number }
  | { kind: 'apiSet'; id: number; attr: number; value: number }
  | { kind: 'apiDrop'; id: number; attr: number }
  | { kind: 'advance'; slots: number }
  | { kind: 'query' }
  | { kind: 'crash' }
  | { kind: 'close' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('ingest' as const),
      id: fc.nat(2),
      attr: fc.nat(1),
      t: fc.nat(50),
      value: fc.integer({ min: -99, max: 99 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('apiSet' as const),
      id: fc.nat(2),
      attr: fc.nat(1),
      value: fc.integer({ min: 100, max: 199 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('apiDrop' as const), id: fc.nat(2), attr: fc.nat(1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      slots: fc.integer({ min: 1, max: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('query' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const) }) },
);

/** An attribute as the model keeps it: its value and observedAt (epoch ms, if any). */
interface Held {
  value: number;
  t?: number;
}

const valuesOf = (e: Entity | undefined): Record<string, number> =>
  Object.fromEntries(
    ATTRS.flatMap((a) => {
      const attr = e?.[a] as { value?: number } | undefined;
      return attr ? [[a, attr.value!]] : [];
    }),
  );

describe('SqliteStore deferred documents (property)', () => {
  it('serves, queries and recovers after a crash exactly what a plain model holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const file = join(mkdtempSync(join(tmpdir(), 'cb-deferred-prop-')), 'db.sqlite');
        let store = new SqliteStore({ file });
        // Every entity exists first (ingest creates it from its first observation).
        const model = IDS.map(() => new Map<string, Held>());
        const base = 1_000_000;
        const obs = (id: number, attr: number, t: number, value: number): Observation => ({
          entityId: IDS[id]!,
          entityType: 'T',
          deviceId: 'd',
          observedAt: base + t,
          attrs: { [ATTRS[attr]!]: { value } },
        });
        for (let id = 0; id < IDS.length; id++) {
          await store.ingest([obs(id, 0, 0, 0)]);
          model[id]!.set('a', { value: 0, t: 0 });
        }
        let clock = Date.now();
        const expectModel = async () => {
          for (let id = 0; id < IDS.length; id++) {
            const want = Object.fromEntries([...model[id]!].map(([a, h]) => [a, h.value]));
            expect(valuesOf(await store.entities.get(IDS[id]!))).toEqual(want);
          }
        };
        try {
          for (const o of ops) {
            if (o.kind === 'ingest') {
              await store.ingest([obs(o.id, o.attr, o.t, o.value)]);
              const held = model[o.id]!.get(ATTRS[o.attr]!);
              // Late data never overwrites a newer current value.
              if (held?.t === undefined || held.t <= o.t)
                model[o.id]!.set(ATTRS[o.attr]!, { value: o.value, t: o.t });
            } else if (o.kind === 'apiSet') {
              await store.entities.mergeAttributes(IDS[o.id]!, {
                [ATTRS[o.attr]!]: { type: 'Property', value: o.value },
              });
              model[o.id]!.set(ATTRS[o.attr]!, { value: o.value });
            } else if (o.kind === 'apiDrop') {
              await store.entities.write([
                {
                  id: IDS[o.id]!,
                  mutate: (current) => {
                    const next: Entity = { ...current! };
                    delete next[ATTRS[o.attr]!];
                    return next;
                  },
                },
              ]);
              model[o.id]!.delete(ATTRS[o.attr]!);
            } else if (o.kind === 'advance') {
              clock += (o.slots * CYCLE_MS) / 16;
              store.series.log.advance(clock);
            } else if (o.kind === 'query') {
              const page = await store.entities.query({
                types: { kind: 'type', name: 'T' },
                offset: 0,
                limit: 10,
              });
              const byId = new Map(page.entities.map((e) => [e.id, valuesOf(e)]));
              for (let id = 0; id < IDS.length; id++)
                expect(byId.get(IDS[id]!)).toEqual(
                  Object.fromEntries([...model[id]!].map(([a, h]) => [a, h.value])),
                );
            } else {
              if (o.kind === 'crash') store['db'].close();
              else await store.close();
              store = new SqliteStore({ file });
            }
            await expectModel();
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
