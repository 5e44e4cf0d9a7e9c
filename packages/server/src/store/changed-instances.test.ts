import { describe, expect, it } from 'vitest';
import type { Entity } from '../core/index.js';
import { changedInstances } from './changed-instances.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const T1 = '2024-05-01T00:00:00.000Z';
const T2 = '2024-05-02T00:00:00.000Z';
const base: Entity = {
  id: 'urn:ngsi-ld:Vehicle:v1',
  type: 'Vehicle',
  speed: { type: 'Property', value: 10, createdAt: T1, modifiedAt: T1 },
  name: [
    { type: 'Property', value: 'a', createdAt: T1, modifiedAt: T1 },
    {
      type: 'Property',
      value: 'b',
      datasetId: 'urn:ngsi-ld:Dataset:x',
      createdAt: T1,
      modifiedAt: T1,
    },
  ],
};

describe('changedInstances', () => {
  it('gives every instance of a new entity', () => {
    const got = changedInstances(undefined, base, NOW);
    expect(got.map((i) => [i.attr, i.datasetId, i.attribute.value, i.createdAt])).toEqual([
      ['speed', undefined, 10, Date.parse(T1)],
      ['name', undefined, 'a', Date.parse(T1)],
      ['name', 'urn:ngsi-ld:Dataset:x', 'b', Date.parse(T1)],
    ]);
  });

  it('gives only instances whose content changed, not re-stamped ones', () => {
    const after: Entity = {
      ...base,
      speed: { type: 'Property', value: 10, createdAt: T1, modifiedAt: T2 },
      name: [
        { type: 'Property', value: 'a', createdAt: T1, modifiedAt: T1 },
        {
          type: 'Property',
          value: 'c',
          datasetId: 'urn:ngsi-ld:Dataset:x',
          createdAt: T1,
          modifiedAt: T2,
        },
      ],
    };
    const got = changedInstances(base, after, NOW);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      attr: 'name',
      datasetId: 'urn:ngsi-ld:Dataset:x',
      createdAt: Date.parse(T2),
    });
    expect(changedInstances(base, undefined, NOW)).toEqual([]);
  });
});
