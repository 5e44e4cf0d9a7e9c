import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attribute, Entity } from '../core/index.js';
import { instancesOf } from './attribute-instances.js';
import { mergeEntity } from './entity-merge.js';
import { writeAttributes } from './entity-ops.js';

const NOW = '2024-05-01T12:00:00.000Z';
const LATER = '2024-05-01T13:00:00.000Z';

/** Instances of one attribute with distinct datasetIds (undefined = the default instance). */
const instances = fc
  .uniqueArray(fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), { maxLength: 4 })
  .chain((keys) => fc.tuple(...keys.map((k) => fc.integer().map((value) => instance(value, k)))));

function instance(value: number, key: number | undefined): Attribute {
  const attr: Attribute = { type: 'Property', value };
  if (key !== undefined) attr.datasetId = `urn:ngsi-ld:Dataset:${key}`;
  return attr;
}

const entityWith = (list: Attribute[]): Entity => {
  const e: Entity = { id: 'urn:x:1', type: 'T', createdAt: NOW, modifiedAt: NOW };
  if (list.length > 0) e.a = list.length === 1 ? list[0] : list;
  return e;
};
const key = (a: Attribute) => a.datasetId ?? '@default';

describe('writeAttributes (datasetId-aware append and update)', () => {
  it('append: every incoming instance is there, datasetIds stay distinct, others untouched', () => {
    fc.assert(
      fc.property(instances, instances, (before, incoming) => {
        const { entity } = writeAttributes(
          entityWith(before),
          { a: incoming.length === 1 ? incoming[0]! : incoming },
          { mode: 'append', now: LATER },
        );
        if (incoming.length === 0) return;
        const after = instancesOf(entity.a);
        expect(new Set(after.map(key)).size).toBe(after.length);
        for (const i of incoming)
          expect(after.find((x) => key(x) === key(i))).toMatchObject({ value: i.value });
        for (const b of before)
          if (!incoming.some((i) => key(i) === key(b)))
            expect(after.find((x) => key(x) === key(b))).toEqual(b);
      }),
    );
  });

  it('update: never adds an instance, reports each missing one', () => {
    fc.assert(
      fc.property(instances, instances, (before, incoming) => {
        if (incoming.length === 0) return;
        const result = writeAttributes(
          entityWith(before),
          { a: incoming.length === 1 ? incoming[0]! : incoming },
          { mode: 'update', now: LATER },
        );
        const after = instancesOf(result.entity.a);
        expect(after.map(key).sort()).toEqual(before.map(key).sort());
        const missing = incoming.filter((i) => !before.some((b) => key(b) === key(i)));
        expect(result.notUpdated).toHaveLength(missing.length);
      }),
    );
  });

  it('keeps an instance createdAt and stamps modifiedAt', () => {
    const start = writeAttributes(
      entityWith([]),
      { a: instance(1, undefined) },
      { mode: 'append', now: NOW },
    );
    const next = writeAttributes(
      start.entity,
      { a: instance(2, undefined) },
      { mode: 'append', now: LATER },
    );
    expect(next.entity.a).toEqual({
      type: 'Property',
      value: 2,
      createdAt: NOW,
      modifiedAt: LATER,
    });
    expect(next.entity.modifiedAt).toBe(LATER);
    expect(next.entity.createdAt).toBe(NOW);
  });
});

describe('mergeEntity', () => {
  it('is idempotent on attribute content and deletes with the NGSI-LD Null', () => {
    fc.assert(
      fc.property(instances, instances, (before, incoming) => {
        if (incoming.length === 0) return;
        const fragment = { attrs: { a: incoming.length === 1 ? incoming[0]! : incoming } };
        const once = mergeEntity(entityWith(before), fragment, LATER);
        const twice = mergeEntity(once, fragment, LATER);
        expect(twice).toEqual(once);
        const nulls = incoming.map((i) => ({ ...i, value: 'urn:ngsi-ld:null' }) as Attribute);
        const cleared = mergeEntity(once, { attrs: { a: nulls } }, LATER);
        const left = instancesOf(cleared.a).map(key);
        for (const i of incoming) expect(left).not.toContain(key(i));
      }),
    );
  });
});
