import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CityError, type Entity, type Property } from '../core/index.js';
import { createHash } from 'node:crypto';
import type { AuditEntry, Store } from './port.js';
import { describeIngestContract } from './store-contract-ingest.js';
import { describeQueryContract } from './store-contract-query.js';

/** What a contract run needs from an adapter: a fresh store, and optionally the same data reopened. */
export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
  /** Closes the store and opens it again on the same data (adapters that persist). */
  reopen?(): Promise<Store>;
}

/** Opens a fresh, empty store for one test. */
export type OpenStore = () => Promise<OpenedStore>;

const temp = (v: number): Property => ({ type: 'Property', value: v });

/** An entity of type `type` with a temperature. */
export function sensor(n: number, type = 'Sensor', extra: Partial<Entity> = {}): Entity {
  return {
    id: `urn:ngsi-ld:${type}:${String(n).padStart(3, '0')}`,
    type,
    temperature: temp(n),
    ...extra,
  };
}

/**
 * The behaviour every `Store` adapter must show (run from each adapter's test file): writes
 * (group commit, per-write failure), queries (filters, paging, count, order, geo), ingest of
 * positions, discovery, collections and, where supported, durability across reopening.
 */
export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    describe('entity writes', () => {
      it('creates, updates and deletes through mutations, reporting before and after', async () => {
        const [created] = await store.entities.write([
          { id: sensor(1).id, mutate: () => sensor(1) },
        ]);
        expect(created).toMatchObject({ changed: true, after: { temperature: { value: 1 } } });
        expect(created?.before).toBeUndefined();
        const got = await store.entities.get(sensor(1).id);
        expect(got?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(got?.modifiedAt).toBe(got?.createdAt);

        const [updated] = await store.entities.write([
          { id: sensor(1).id, mutate: (cur) => cur && { ...cur, temperature: temp(42) } },
        ]);
        expect(updated?.before).toMatchObject({ temperature: { value: 1 } });
        expect(updated?.after).toMatchObject({
          temperature: { value: 42 },
          createdAt: got?.createdAt,
        });

        const [same] = await store.entities.write([{ id: sensor(1).id, mutate: () => undefined }]);
        expect(same?.changed).toBe(false);
        const [gone] = await store.entities.write([{ id: sensor(1).id, mutate: () => null }]);
        expect(gone).toMatchObject({ changed: true, after: undefined });
        expect(await store.entities.get(sensor(1).id)).toBeUndefined();
        const [noop] = await store.entities.write([{ id: sensor(1).id, mutate: () => null }]);
        expect(noop?.changed).toBe(false);
      });

      it('lets a later write of a batch see the result of an earlier one', async () => {
        const id = sensor(1).id;
        const results = await store.entities.write([
          { id, mutate: () => sensor(1) },
          {
            id,
            mutate: (cur) =>
              cur && {
                ...cur,
                temperature: temp(Number((cur.temperature as { value: number }).value) + 1),
              },
          },
        ]);
        expect(results.map((r) => r.changed)).toEqual([true, true]);
        expect(results[1]?.before).toMatchObject({ temperature: { value: 1 } });
        expect(await store.entities.get(id)).toMatchObject({ temperature: { value: 2 } });
      });

      it('group-commits concurrent callers in order, each seeing the previous state', async () => {
        const id = sensor(7).id;
        await store.entities.create(sensor(7, 'Sensor', { temperature: temp(0) }));
        const bump = (cur: Entity | undefined): Entity => ({
          ...cur!,
          temperature: temp((cur!.temperature as { value: number }).value + 1),
        });
        const all = await Promise.all(
          Array.from({ length: 50 }, () => store.entities.write([{ id, mutate: bump }])),
        );
        expect(all.map(([r]) => (r?.after?.temperature as { value: number }).value)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        expect(await store.entities.get(id)).toMatchObject({ temperature: { value: 50 } });
      });

      it('fails only the write whose mutation throws a CityError', async () => {
        const results = await store.entities.write([
          { id: sensor(1).id, mutate: () => sensor(1) },
          {
            id: sensor(2).id,
            mutate: () => {
              throw new CityError('BadRequestData', 'no');
            },
          },
          { id: sensor(3).id, mutate: () => sensor(3) },
        ]);
        expect(results.map((r) => r.error?.code)).toEqual([undefined, 'BadRequestData', undefined]);
        expect(await store.entities.get(sensor(2).id)).toBeUndefined();
        expect(await store.entities.get(sensor(3).id)).toBeDefined();
      });

      it('rejects a write whose mutation throws another error, writing nothing of it', async () => {
        const bad = store.entities.write([
          { id: sensor(1).id, mutate: () => sensor(1) },
          {
            id: sensor(2).id,
            mutate: () => {
              throw new TypeError('bug');
            },
          },
        ]);
        await expect(bad).rejects.toThrow('bug');
        expect(await store.entities.get(sensor(1).id)).toBeUndefined();
        // The store keeps working after a failed batch.
        await store.entities.create(sensor(2));
        expect(await store.entities.get(sensor(2).id)).toBeDefined();
      });

      it('keeps the old convenience methods', async () => {
        await store.entities.create(sensor(1));
        await expect(store.entities.create(sensor(1))).rejects.toMatchObject({
          code: 'AlreadyExists',
        });
        const merged = await store.entities.mergeAttributes(sensor(1).id, { humidity: temp(3) });
        expect(merged).toMatchObject({ temperature: { value: 1 }, humidity: { value: 3 } });
        await expect(
          store.entities.mergeAttributes('urn:ngsi-ld:Sensor:none', {}),
        ).rejects.toMatchObject({
          code: 'ResourceNotFound',
        });
        expect(await store.entities.types()).toEqual(['Sensor']);
        expect(await store.entities.delete(sensor(1).id)).toBe(true);
        expect(await store.entities.delete(sensor(1).id)).toBe(false);
        expect(await store.entities.types()).toEqual([]);
      });
    });

    describeQueryContract(() => store);
    describeIngestContract(() => store);

    describe('discovery', () => {
      it('reports types with attributes and counts, and attributes with types and counts', async () => {
        await store.entities.create(
          sensor(1, 'Sensor', { ref: { type: 'Relationship', object: 'urn:x:1' } }),
        );
        await store.entities.create(sensor(2, 'Sensor'));
        await store.entities.create({
          id: 'urn:ngsi-ld:Both:1',
          type: ['Sensor', 'Device'],
          ref: [
            { type: 'Property', value: 1, datasetId: 'urn:d:1' },
            { type: 'Relationship', object: 'urn:x:2' },
          ],
        });
        await store.entities.create({ id: 'urn:ngsi-ld:Gone:1', type: 'Gone', x: temp(1) });
        await store.entities.delete('urn:ngsi-ld:Gone:1');
        await store.entities.mergeAttributes(sensor(2).id, { humidity: temp(1) });
        expect(await store.entities.typeInfo()).toEqual([
          { type: 'Device', attributeNames: ['ref'], entityCount: 1 },
          { type: 'Sensor', attributeNames: ['humidity', 'ref', 'temperature'], entityCount: 3 },
        ]);
        expect(await store.entities.attributeInfo()).toEqual([
          {
            name: 'humidity',
            attributeTypes: ['Property'],
            typeNames: ['Sensor'],
            attributeCount: 1,
          },
          {
            name: 'ref',
            attributeTypes: ['Property', 'Relationship'],
            typeNames: ['Device', 'Sensor'],
            attributeCount: 3,
          },
          {
            name: 'temperature',
            attributeTypes: ['Property'],
            typeNames: ['Sensor'],
            attributeCount: 2,
          },
        ]);
      });
    });

    describe('collections', () => {
      it('keeps named JSON documents apart', async () => {
        const subs = store.collection<{ n: number }>('subscriptions');
        await subs.put('b', { n: 2 });
        await subs.put('a', { n: 1 });
        await subs.put('a', { n: 3 });
        await store.collection<{ n: number }>('contexts').put('a', { n: 9 });
        expect(await subs.get('a')).toEqual({ n: 3 });
        expect(await subs.list()).toEqual([
          { id: 'a', doc: { n: 3 } },
          { id: 'b', doc: { n: 2 } },
        ]);
        expect(await subs.delete('a')).toBe(true);
        expect(await subs.delete('a')).toBe(false);
        expect(await subs.get('a')).toBeUndefined();
        expect(await store.collection('contexts').get('a')).toEqual({ n: 9 });
      });

      it('replaces a document only while it is as expected (compare-and-set)', async () => {
        const claims = store.collection<{ sentAt: number; by: string }>('claims');
        expect(await claims.replaceIf('s', { sentAt: 1, by: 'a' }, undefined)).toBe(true);
        expect(await claims.replaceIf('s', { sentAt: 1, by: 'b' }, undefined)).toBe(false);
        const seen = await claims.get('s');
        expect(seen).toEqual({ sentAt: 1, by: 'a' });
        // Two nodes read the same document; the first to replace it wins.
        expect(await claims.replaceIf('s', { sentAt: 2, by: 'a' }, seen)).toBe(true);
        expect(await claims.replaceIf('s', { sentAt: 2, by: 'b' }, seen)).toBe(false);
        expect(await claims.get('s')).toEqual({ sentAt: 2, by: 'a' });
        expect(await claims.replaceIf('other', { sentAt: 9, by: 'a' }, seen)).toBe(false);
        expect(await claims.get('other')).toBeUndefined();
      });

      it('decides compare-and-sets made at once one by one, each with its own outcome', async () => {
        const docs = store.collection<{ n: number; by: string }>('race');
        await docs.put('x', { n: 0, by: 'seed' });
        const seen = await docs.get('x');
        // Many callers at once (committed together where the store groups writes): one wins
        // each document, the others see they lost; writes to other documents go through.
        const outcomes = await Promise.all([
          ...['a', 'b', 'c'].map((by) => docs.replaceIf('x', { n: 1, by }, seen)),
          docs.replaceIf('y', { n: 1, by: 'a' }, undefined),
          docs.replaceIf('y', { n: 1, by: 'b' }, undefined),
          docs.put('z', { n: 7, by: 'a' }).then(() => true),
        ]);
        expect(outcomes.slice(0, 3).filter(Boolean)).toHaveLength(1);
        expect(outcomes.slice(3, 5).filter(Boolean)).toHaveLength(1);
        expect(outcomes[5]).toBe(true);
        const winner = ['a', 'b', 'c'][outcomes.indexOf(true)];
        expect(await docs.get('x')).toEqual({ n: 1, by: winner });
        expect(await docs.get('y')).toEqual({ n: 1, by: outcomes[3] ? 'a' : 'b' });
        expect(await docs.get('z')).toEqual({ n: 7, by: 'a' });
        // The caller's own copy of the stored document is as good as the one read.
        expect(await docs.replaceIf('x', { n: 2, by: 'next' }, { n: 1, by: winner! })).toBe(true);
      });
    });

    describe('audit chain', () => {
      // A stand-in for the real link (sharing/audit): any function of the three will do here.
      const link = (prevHash: string, seq: number, entry: AuditEntry) =>
        createHash('sha256')
          .update(`${prevHash}|${seq}|${JSON.stringify(entry)}`)
          .digest('hex');
      const entry = (n: number, owner = 'health'): AuditEntry => ({
        at: 1_700_000_000_000 + n,
        actor: `user-${n}`,
        organisation: 'police',
        purpose: 'epidemic-control',
        grants: ['grant-1'],
        action: 'entity.query',
        resource: 'urn:ngsi-ld:FeverClinic:*',
        owner,
        result: n % 5 === 0 ? 'deny' : 'allow',
        records: n % 5 === 0 ? 0 : n,
      });

      it('appends records that extend one chain, and reads them back as stored', async () => {
        expect(await store.audit.head()).toBeUndefined();
        const first = await store.audit.append([entry(1), entry(2)], link);
        const second = await store.audit.append([entry(3)], link);
        expect(await store.audit.append([], link)).toEqual([]);
        const all = [...first, ...second];
        expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
        expect(all[0]!.prevHash).toBe('0'.repeat(64));
        for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
        for (const r of all) expect(r.hash).toBe(link(r.prevHash, r.seq, r.entry));
        expect(await store.audit.read(1, 10)).toEqual(all);
        expect(await store.audit.read(2, 1)).toEqual([all[1]]);
        expect(await store.audit.head()).toEqual({ seq: 3, hash: all[2]!.hash });
      });

      it('keeps any string of an entry exactly, NUL and lone surrogates included', async () => {
        const odd = { ...entry(1), actor: 'a\u0000b\ud800c', resource: 'urn:x:\u{1F600}' };
        const [record] = await store.audit.append([odd], link);
        expect((await store.audit.read(1, 1))[0]).toEqual(record);
        expect(record!.entry).toEqual(odd);
      });

      it("reads an owner's records newest first, page by page, others' only if asked", async () => {
        const entries = Array.from({ length: 9 }, (_, i) => ({
          ...entry(i + 1, i % 3 === 0 ? 'transport' : 'health'),
          organisation: i === 8 ? 'health' : 'police',
        }));
        await store.audit.append(entries, link);
        const seqs = (records: { seq: number }[]) => records.map((r) => r.seq);
        const recent = (owner: string | undefined, beforeSeq?: number, limit = 10) =>
          store.audit.recent({ ...(owner && { owner }), ...(beforeSeq && { beforeSeq }), limit });
        expect(seqs(await recent('health', undefined, 4))).toEqual([9, 8, 6, 5]);
        expect(seqs(await recent('health', 5, 4))).toEqual([3, 2]);
        expect(seqs(await recent('transport'))).toEqual([7, 4, 1]);
        expect(seqs(await recent(undefined, 3))).toEqual([2, 1]);
        expect(await recent('nobody')).toEqual([]);
        const [newest] = await recent('health', undefined, 1);
        expect(newest!.entry).toEqual(entries[8]);
        const others = await store.audit.recent({ owner: 'health', othersOnly: true, limit: 2 });
        expect(seqs(others)).toEqual([8, 6]);
      });

      it('keeps signed checkpoints of the head, one per seq and key', async () => {
        await store.audit.append([entry(1), entry(2)], link);
        const head = (await store.audit.head())!;
        const checkpoint = { ...head, at: 5, keyId: 'k1', signature: 'c2lnbmF0dXJl' };
        await store.audit.addCheckpoint(checkpoint);
        await store.audit.addCheckpoint({ ...checkpoint, keyId: 'k2' });
        await store.audit.addCheckpoint({ ...checkpoint, keyId: 'k1' });
        expect(await store.audit.checkpoints()).toEqual([
          checkpoint,
          { ...checkpoint, keyId: 'k2' },
        ]);
      });
    });

    describe('durability', () => {
      it('keeps entities, indexes and collections after reopening', async (ctx) => {
        if (!opened.reopen) ctx.skip();
        const location = { type: 'GeoProperty', value: { type: 'Point', coordinates: [10, 20] } };
        await Promise.all([
          store.entities.create(sensor(1, 'Sensor', { location })),
          store.entities.create(sensor(2)),
          store.collection('c').put('x', { y: 1 }),
        ]);
        store = await opened.reopen!();
        expect(await store.entities.get(sensor(1).id)).toMatchObject({ location });
        const near = await store.entities.query({
          geo: {
            georel: 'near',
            maxDistance: 1000,
            geometry: { type: 'Point', coordinates: [10.001, 20] },
            geoproperty: 'location',
          },
          limit: 10,
          offset: 0,
        });
        expect(near.entities.map((e) => e.id)).toEqual([sensor(1).id]);
        expect((await store.entities.typeInfo())[0]?.entityCount).toBe(2);
        expect(await store.collection('c').get('x')).toEqual({ y: 1 });
      });
    });
  });
}
