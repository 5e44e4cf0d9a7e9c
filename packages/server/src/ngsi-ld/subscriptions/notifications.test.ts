import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  pause,
  room,
  startReceiver,
  startSubscriptionApp,
  type Receiver,
  type SubscriptionTestApp,
} from './test-setup.js';

const USER_CONTEXT = 'https://example.org/rooms-context.jsonld';

describe('notifications on entity changes (clause 5.11)', () => {
  let t: SubscriptionTestApp;
  let rx: Receiver;
  beforeEach(async () => {
    rx = await startReceiver();
    t = await startSubscriptionApp({
      preloadedContexts: {
        [USER_CONTEXT]: { '@context': { temp: 'https://example.org/vocab#temperature' } },
      },
    });
  });
  afterEach(async () => {
    await t.close();
    await rx.close();
  });
  const endpoint = () => ({ uri: `${rx.url}/notify` });

  it('notifies a created entity of the selected type, as normalized JSON with a Link header', async () => {
    const id = await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: { endpoint: endpoint() },
    });
    await t.change({
      id: 'urn:ngsi-ld:Car:1',
      kind: 'created',
      entity: { id: 'urn:ngsi-ld:Car:1', type: 'Car', speed: { type: 'Property', value: 3 } },
    });
    await t.change({ id: room('a', 21).id, kind: 'created', entity: room('a', 21) });
    const [got] = await rx.waitFor(1);
    await pause(50);
    expect(rx.received).toHaveLength(1);
    expect(got!.path).toBe('/notify');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers.link).toContain('ngsi-ld-core-context');
    expect(got!.body).toMatchObject({ type: 'Notification', subscriptionId: id });
    expect(got!.body.id).toMatch(/^urn:ngsi-ld:Notification:/);
    expect(Date.parse(got!.body.notifiedAt as string)).toBeGreaterThan(Date.now() - 5000);
    expect(got!.body.data).toEqual([room('a', 21)]);
  });

  it('selects by id and by idPattern', async () => {
    await t.subscribe({
      entities: [{ type: 'Room', id: 'urn:ngsi-ld:Room:b' }],
      notification: { endpoint: endpoint() },
    });
    await t.subscribe({
      entities: [{ type: 'Room', idPattern: ':c\\d$' }],
      notification: { endpoint: endpoint() },
    });
    for (const name of ['a', 'b', 'c1', 'cx'])
      await t.change({ id: room(name, 1).id, kind: 'created', entity: room(name, 1) });
    await rx.waitFor(2);
    await pause(50);
    expect(rx.received.map((r) => r.body.data[0]!.id).sort()).toEqual([
      'urn:ngsi-ld:Room:b',
      'urn:ngsi-ld:Room:c1',
    ]);
  });

  it('notifies only changes of watched attributes, filtered by q on the new state', async () => {
    await t.subscribe({
      watchedAttributes: ['temperature'],
      q: 'temperature>20',
      notification: { endpoint: endpoint() },
    });
    const before = room('a', 25, { humidity: { type: 'Property', value: 40 } });
    const humid = { ...before, humidity: { type: 'Property', value: 60 } };
    await t.change({ id: before.id, kind: 'updated', previous: before, entity: humid }); // not watched
    const cold = { ...humid, temperature: { type: 'Property', value: 15 } };
    await t.change({ id: before.id, kind: 'updated', previous: humid, entity: cold }); // fails q
    const warm = { ...cold, temperature: { type: 'Property', value: 26 } };
    await t.change({ id: before.id, kind: 'updated', previous: cold, entity: warm });
    await rx.waitFor(1);
    await pause(50);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.body.data[0]!.temperature).toEqual({ type: 'Property', value: 26 });
  });

  it('filters with geoQ on the new location', async () => {
    await t.subscribe({
      entities: [{ type: 'Room' }],
      geoQ: {
        geometry: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [10, 0],
            [10, 10],
            [0, 10],
            [0, 0],
          ],
        ],
        georel: 'within',
      },
      notification: { endpoint: endpoint() },
    });
    const at = (name: string, coordinates: number[]) =>
      room(name, 1, { location: { type: 'GeoProperty', value: { type: 'Point', coordinates } } });
    await t.change({ id: at('out', [20, 20]).id, kind: 'created', entity: at('out', [20, 20]) });
    await t.change({ id: at('in', [5, 5]).id, kind: 'created', entity: at('in', [5, 5]) });
    await rx.waitFor(1);
    await pause(50);
    expect(rx.received.map((r) => r.body.data[0]!.id)).toEqual([room('in', 1).id]);
  });

  it('renders keyValues and concise, projects notification.attributes, shows previous values', async () => {
    const common = { entities: [{ type: 'Room' }] };
    await t.subscribe({
      ...common,
      notification: {
        endpoint: { uri: `${rx.url}/kv` },
        format: 'keyValues',
        attributes: ['temperature'],
      },
    });
    await t.subscribe({
      ...common,
      notification: { endpoint: { uri: `${rx.url}/concise` }, format: 'concise' },
    });
    await t.subscribe({
      ...common,
      notification: { endpoint: { uri: `${rx.url}/changes` }, showChanges: true },
    });
    const before = room('a', 20, {
      humidity: { type: 'Property', value: 40, unitCode: 'P1' },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' },
    });
    const after = { ...before, temperature: { type: 'Property', value: 22 } };
    await t.change({ id: before.id, kind: 'updated', previous: before, entity: after });
    await rx.waitFor(3);
    const at = (path: string) => rx.received.find((r) => r.path === path)!.body.data[0];
    expect(at('/kv')).toEqual({ id: before.id, type: 'Room', temperature: 22 });
    expect(at('/concise')).toEqual({
      id: before.id,
      type: 'Room',
      temperature: 22,
      humidity: { value: 40, unitCode: 'P1' },
      owner: { object: 'urn:ngsi-ld:Person:1' },
    });
    expect(at('/changes')!.temperature).toEqual({ type: 'Property', value: 22, previousValue: 20 });
  });

  it('follows notificationTrigger: deletions only when asked, with deletedAt', async () => {
    await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: { endpoint: { uri: `${rx.url}/default` } },
    });
    await t.subscribe({
      entities: [{ type: 'Room' }],
      notificationTrigger: ['entityDeleted', 'attributeDeleted'],
      notification: { endpoint: { uri: `${rx.url}/deletions` } },
    });
    const full = room('a', 20, { humidity: { type: 'Property', value: 40 } });
    const lean = { id: full.id, type: full.type, temperature: full.temperature };
    await t.change({ id: full.id, kind: 'updated', previous: full, entity: lean });
    await t.change({ id: full.id, kind: 'deleted', previous: lean });
    await rx.waitFor(2);
    await pause(50);
    expect(rx.received.every((r) => r.path === '/deletions')).toBe(true);
    const [attrDeleted, entityDeleted] = rx.received.map((r) => r.body.data[0]!);
    expect(attrDeleted!.humidity).toMatchObject({ type: 'Property', value: 'urn:ngsi-ld:null' });
    expect(attrDeleted!.humidity).toHaveProperty('deletedAt');
    expect(entityDeleted).toEqual({ id: full.id, type: 'Room', deletedAt: expect.any(String) });
  });

  it('does not notify an inactive subscription until it is reactivated', async () => {
    const id = await t.subscribe({
      entities: [{ type: 'Room' }],
      isActive: false,
      notification: { endpoint: endpoint() },
    });
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    await pause(100);
    expect(rx.received).toHaveLength(0);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/ngsi-ld/v1/subscriptions/${id}`,
      payload: { isActive: true },
    });
    expect(res.statusCode).toBe(204);
    await t.change({ id: room('b', 1).id, kind: 'created', entity: room('b', 1) });
    expect((await rx.waitFor(1))[0]!.body.data[0]!.id).toBe(room('b', 1).id);
  });

  it('stops at expiresAt and then reports status expired', async () => {
    const expiresAt = new Date(Date.now() + 300).toISOString();
    const id = await t.subscribe({
      entities: [{ type: 'Room' }],
      expiresAt,
      notification: { endpoint: endpoint() },
    });
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    await rx.waitFor(1);
    await pause(400);
    await t.change({ id: room('b', 1).id, kind: 'created', entity: room('b', 1) });
    await pause(100);
    expect(rx.received).toHaveLength(1);
    const sub = (await t.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}` })).json();
    expect(sub.status).toBe('expired');
  });

  it('throttles to one notification per period and sends the held-back latest state after it', async () => {
    await t.subscribe({
      entities: [{ type: 'Room' }],
      throttling: 0.5,
      notification: { endpoint: endpoint() },
    });
    let previous = room('a', 0);
    const start = Date.now();
    for (let v = 1; v <= 4; v++) {
      const next = room('a', v);
      await t.change({ id: next.id, kind: 'updated', previous, entity: next });
      previous = next;
    }
    await rx.waitFor(2, 2000);
    await pause(700);
    expect(rx.received).toHaveLength(2);
    expect(rx.received[0]!.body.data[0]!.temperature).toEqual({ type: 'Property', value: 1 });
    expect(rx.received[1]!.body.data[0]!.temperature).toEqual({ type: 'Property', value: 4 });
    expect(rx.received[1]!.at - start).toBeGreaterThanOrEqual(450);
  });

  it('sends the matching entities every timeInterval seconds', async () => {
    await t.store.entities.create(room('a', 21));
    await t.store.entities.create(room('b', 18));
    await t.subscribe({
      entities: [{ type: 'Room' }],
      q: 'temperature>20',
      timeInterval: 0.3,
      notification: { endpoint: endpoint() },
    });
    const got = await rx.waitFor(2, 2000);
    expect(got[0]!.body.data.map((e) => e.id)).toEqual([room('a', 21).id]);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(250);
  });

  it('keeps tenants apart and names the tenant in the notification', async () => {
    await t.subscribe(
      { entities: [{ type: 'Room' }], notification: { endpoint: endpoint() } },
      { 'ngsild-tenant': 'north' },
    );
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    await t.change({ id: room('n', 1).id, kind: 'created', entity: room('n', 1), tenant: 'north' });
    await rx.waitFor(1);
    await pause(50);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.body.data[0]!.id).toBe(room('n', 1).id);
    expect(rx.received[0]!.headers['ngsild-tenant']).toBe('north');
  });

  it('sends application/ld+json with @context in each entity, and receiverInfo headers', async () => {
    await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: {
        endpoint: {
          ...endpoint(),
          accept: 'application/ld+json',
          receiverInfo: [{ key: 'X-Auth-Token', value: 's3cret' }],
        },
      },
    });
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    const [got] = await rx.waitFor(1);
    expect(got!.headers['content-type']).toBe('application/ld+json');
    expect(got!.headers.link).toBeUndefined();
    expect(got!.headers['x-auth-token']).toBe('s3cret');
    expect(got!.body.data[0]!['@context']).toBeDefined();
  });

  it("matches with the subscriber's @context and compacts the notification with it", async () => {
    const link = `<${USER_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    const id = await t.subscribe(
      {
        entities: [{ type: 'Room' }],
        watchedAttributes: ['temp'],
        q: 'temp>20',
        notification: { endpoint: endpoint(), attributes: ['temp'] },
      },
      { link },
    );
    const iri = 'https://example.org/vocab#temperature';
    const before = {
      id: 'urn:ngsi-ld:Room:x',
      type: 'Room',
      [iri]: { type: 'Property', value: 10 },
    };
    const after = { ...before, [iri]: { type: 'Property', value: 30 } };
    await t.change({ id: before.id, kind: 'updated', previous: before, entity: after });
    const [got] = await rx.waitFor(1);
    expect(got!.body.data[0]).toEqual({
      id: before.id,
      type: 'Room',
      temp: { type: 'Property', value: 30 },
    });
    expect(got!.headers.link).toContain(USER_CONTEXT);
    const shown = (
      await t.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}`, headers: { link } })
    ).json();
    expect(shown.watchedAttributes).toEqual(['temp']);
    const plain = (await t.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}` })).json();
    expect(plain.watchedAttributes).toEqual([iri]);
  });
});
