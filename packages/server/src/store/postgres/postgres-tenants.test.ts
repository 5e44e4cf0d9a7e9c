import { afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { PostgresStore } from './postgres-store.js';
import { PostgresTenants } from './postgres-tenants.js';
import { dropSchemas, randomSchema } from './test-schema.js';

const pg = await serviceAvailable('postgres');
const url = SERVICES.postgres;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A default store and its tenants on a fresh schema; `schema` reopens an existing one. */
async function tenants(schema = randomSchema()) {
  const main = await PostgresStore.open({ url, schema, pool: 2 });
  const t = new PostgresTenants({ default: main, pool: 2 });
  cleanups.push(async () => {
    const owned = await t.schemas();
    await t.close();
    await main.close();
    await dropSchemas(url, schema, ...owned);
  });
  return { t, main, schema };
}

const entity = (id: string) => ({ id, type: 'T' });

describe.skipIf(!pg)('PostgresTenants', () => {
  it('serves the default store without a tenant and refuses to invent tenants on reads', async () => {
    const { t, main } = await tenants();
    expect(await t.get(undefined, false)).toBe(main);
    expect(await t.get('acme', false)).toBeUndefined();
    expect(await t.list()).toEqual([]);
    await expect(t.get('', true)).rejects.toMatchObject({ code: 'BadRequestData' });
  });

  it('creates a tenant on first write and isolates its entities', async () => {
    const { t, main } = await tenants();
    const acme = await t.get('acme', true);
    await acme!.entities.create(entity('urn:a:1'));
    await main.entities.create(entity('urn:main:1'));
    const other = await t.get('other', true);
    expect(await acme!.entities.get('urn:main:1')).toBeUndefined();
    expect(await main.entities.get('urn:a:1')).toBeUndefined();
    expect(await other!.entities.get('urn:a:1')).toBeUndefined();
    expect(await t.get('acme', false)).toBe(acme);
    expect(await t.list()).toEqual(['acme', 'other']);
  });

  it('lets every node see a tenant another node created, whatever its name', async () => {
    const a = await tenants();
    const odd = `x"; DROP TABLE entities; --/../${'é'.repeat(150)}`;
    await (await a.t.get(odd, true))!.entities.create(entity('urn:a:1'));
    // A second node on the same database: its own pools, the same schemas.
    const main = await PostgresStore.open({ url, schema: a.schema, pool: 2 });
    const b = new PostgresTenants({ default: main, pool: 2 });
    cleanups.push(async () => {
      await b.close();
      await main.close();
    });
    expect(await b.list()).toEqual([odd]);
    expect(await (await b.get(odd, false))!.entities.get('urn:a:1')).toMatchObject(
      entity('urn:a:1'),
    );
    expect(await a.main.entities.types()).toEqual([]);
  });

  it('lets two nodes create the same tenant at once', async () => {
    const a = await tenants();
    const main = await PostgresStore.open({ url, schema: a.schema, pool: 2 });
    const b = new PostgresTenants({ default: main, pool: 2 });
    cleanups.push(async () => {
      await b.close();
      await main.close();
    });
    // Several names, each created by both nodes at the same moment (the race is narrow).
    const names = ['acme', 'beta', 'city-3', 'delta', 'east', 'fourth'];
    for (const name of names) {
      const [sa, sb] = await Promise.all([a.t.get(name, true), b.get(name, true)]);
      await sa!.entities.create(entity(`urn:${name}:1`));
      expect(await sb!.entities.get(`urn:${name}:1`)).toMatchObject(entity(`urn:${name}:1`));
    }
    expect(await b.list()).toEqual([...names].sort());
  });
});
