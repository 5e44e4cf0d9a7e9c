import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntityChange } from '../../bus/index.js';
import type { Entity } from '../../core/index.js';
import { compileSubscription, diffAttributes, matchChange } from './match-change.js';
import type { StoredSubscription } from './subscription.js';

const attrs = fc.dictionary(
  fc.constantFrom('a', 'b', 'c', 'd'),
  fc.record({ type: fc.constant('Property'), value: fc.integer({ min: 0, max: 3 }) }),
);
const entity = (members: Record<string, unknown>): Entity => ({
  id: 'urn:ngsi-ld:T:1',
  type: 'T',
  ...members,
});
const update = (previous: Entity, next: Entity): EntityChange => ({
  id: next.id,
  type: 'T',
  kind: 'updated',
  previous,
  entity: next,
});

function sub(extra: Partial<StoredSubscription>): StoredSubscription {
  return {
    id: 'urn:ngsi-ld:Subscription:1',
    type: 'Subscription',
    entities: [{ type: 'T' }],
    isActive: true,
    notification: { format: 'normalized', endpoint: { uri: 'http://x.org/' } },
    createdAt: '',
    modifiedAt: '',
    jsonldContext: '',
    linkHeader: '',
    filters: {},
    ...extra,
  };
}

describe('diffAttributes', () => {
  it('splits the changed attributes into created, updated and deleted, nothing else', () => {
    fc.assert(
      fc.property(attrs, attrs, (before, after) => {
        const diff = diffAttributes(update(entity(before), entity(after)));
        const all = [...diff.created, ...diff.updated, ...diff.deleted];
        expect(new Set(all).size).toBe(all.length);
        for (const n of ['a', 'b', 'c', 'd']) {
          const changed = JSON.stringify(before[n]) !== JSON.stringify(after[n]);
          expect(all.includes(n)).toBe(changed);
        }
        expect(diff.created.every((n) => !(n in before) && n in after)).toBe(true);
        expect(diff.deleted.every((n) => n in before && !(n in after))).toBe(true);
      }),
    );
  });

  it('ignores the order of members when comparing', () => {
    const a = entity({ x: { type: 'Property', value: 1, unitCode: 'CEL' } });
    const b = entity({ x: { unitCode: 'CEL', value: 1, type: 'Property' } });
    expect(diffAttributes(update(a, b))).toEqual({ created: [], updated: [], deleted: [] });
  });
});

describe('matchChange', () => {
  const before = entity({ a: { type: 'Property', value: 1 }, b: { type: 'Property', value: 1 } });
  const changedB = entity({ a: { type: 'Property', value: 1 }, b: { type: 'Property', value: 2 } });

  it('by default notifies creations and updates but not deletions', () => {
    const s = compileSubscription(sub({}));
    expect(
      matchChange(s, { id: before.id, type: 'T', kind: 'created', entity: before }),
    ).toMatchObject({ trigger: 'attributeCreated' });
    expect(matchChange(s, update(before, changedB))).toMatchObject({ trigger: 'attributeUpdated' });
    expect(
      matchChange(s, { id: before.id, type: 'T', kind: 'deleted', previous: before }),
    ).toBeUndefined();
  });

  it('honours watchedAttributes and the entity selector', () => {
    expect(
      matchChange(compileSubscription(sub({ watchedAttributes: ['a'] })), update(before, changedB)),
    ).toBeUndefined();
    const watchingB = compileSubscription(sub({ watchedAttributes: ['b'] }));
    expect(matchChange(watchingB, update(before, changedB))?.diff.updated).toEqual(['b']);
    const otherType = compileSubscription(sub({ entities: [{ type: 'U' }] }));
    expect(matchChange(otherType, update(before, changedB))).toBeUndefined();
  });

  it('never matches a periodic (timeInterval) subscription on a change', () => {
    expect(
      matchChange(compileSubscription(sub({ timeInterval: 5 })), update(before, changedB)),
    ).toBeUndefined();
  });
});
