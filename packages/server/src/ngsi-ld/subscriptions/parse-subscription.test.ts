import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LdContext } from '../context/index.js';
import { parseSubscription } from './parse-subscription.js';
import { mergeFragment, renderSubscription } from './render-subscription.js';

/** A context mapping `t:<name>` terms to `https://example.org/<name>` IRIs (and back). */
const ctx: LdContext = {
  coreOnly: false,
  responseContext: 'https://example.org/ctx.jsonld',
  linkHeader: '<https://example.org/ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context"',
  expand: (t) => (t.startsWith('t:') ? `https://example.org/${t.slice(2)}` : t),
  compact: (n) => (n.startsWith('https://example.org/') ? `t:${n.slice(20)}` : n),
};
const now = new Date('2030-01-01T00:00:00Z');

const name = fc.constantFrom('temperature', 't:humidity', 't:co2', 'location');
const selector = fc.record(
  {
    type: fc.constantFrom('Room', 't:Sensor', 'Room;t:Sensor', 'Room|Car'),
    id: fc.constantFrom('urn:ngsi-ld:Room:1', 'urn:ngsi-ld:Room:2'),
    idPattern: fc.constantFrom('^urn:ngsi-ld:Room:', '.*'),
  },
  { requiredKeys: ['type'] },
);
const body = fc.record(
  {
    type: fc.constant('Subscription'),
    entities: fc.array(selector, { minLength: 1, maxLength: 3 }),
    watchedAttributes: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
    q: fc.constantFrom('temperature>20', 't:co2<400;temperature==21', 't:humidity'),
    scopeQ: fc.constantFrom('/Madrid/#', '/A/+;/B'),
    isActive: fc.boolean(),
    throttling: fc.integer({ min: 1, max: 60 }),
    notificationTrigger: fc.uniqueArray(
      fc.constantFrom('entityCreated', 'attributeUpdated', 'entityDeleted'),
      { minLength: 1 },
    ),
    notification: fc.record(
      {
        endpoint: fc.record({
          uri: fc.constantFrom('http://example.org/n', 'mqtt://broker:1883/city/x'),
        }),
        format: fc.constantFrom('normalized', 'keyValues', 'concise'),
        attributes: fc.uniqueArray(name, { minLength: 1, maxLength: 2 }),
        showChanges: fc.boolean(),
      },
      { requiredKeys: ['endpoint'] },
    ),
  },
  { requiredKeys: ['type', 'entities', 'notification'] },
);

describe('parseSubscription', () => {
  it('round-trips: what a client reads back parses to the same subscription', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const stored = parseSubscription(raw, { ctx, now });
        const view = renderSubscription(stored, { ctx, now: now.getTime() });
        const again = parseSubscription(view, { ctx, now, existing: stored });
        expect(again).toEqual(stored);
        expect(mergeFragment(view, {})).toEqual(view);
      }),
    );
  });

  it('stores canonical names and shows the client its own terms', () => {
    const stored = parseSubscription(
      {
        type: 'Subscription',
        entities: [{ type: 't:Sensor' }],
        watchedAttributes: ['t:co2'],
        q: 't:co2>400',
        notification: { endpoint: { uri: 'http://example.org/n' }, attributes: ['t:co2'] },
      },
      { ctx, now },
    );
    expect(stored.entities).toEqual([{ type: 'https://example.org/Sensor' }]);
    expect(stored.watchedAttributes).toEqual(['https://example.org/co2']);
    expect(stored.notification.attributes).toEqual(['https://example.org/co2']);
    expect(stored.filters.q).toMatchObject({ path: { attr: 'https://example.org/co2' } });
    const view = renderSubscription(stored, { ctx, now: now.getTime() });
    expect(view).toMatchObject({ entities: [{ type: 't:Sensor' }], watchedAttributes: ['t:co2'] });
  });

  it('merges a fragment: given members replace, null removes, notification merges', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 99 }), (raw, throttling) => {
        const view = renderSubscription(parseSubscription(raw, { ctx, now }), {
          ctx,
          now: now.getTime(),
        });
        const merged = mergeFragment(view, {
          throttling,
          q: null,
          notification: { format: 'keyValues' },
        });
        expect(merged.throttling).toBe(throttling);
        expect(merged).not.toHaveProperty('q');
        expect(merged.notification).toEqual({
          ...(view.notification as object),
          format: 'keyValues',
        });
      }),
    );
  });
});
