import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { SqliteTenants } from './sqlite-tenants.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function tenants(dir = mkdtempSync(join(tmpdir(), 'cb-tenants-'))) {
  const main = new SqliteStore({ file: join(dir, 'main.db'), synchronous: 'normal' });
  const t = new SqliteTenants({ default: main, dir: join(dir, 'tenants'), synchronous: 'normal' });
  open.push(main, t);
  return { t, main, dir };
}

const entity = (id: string) => ({ id, type: 'T' });

describe('SqliteTenants', () => {
  it('serves the default store without a tenant and refuses to invent tenants on reads', async () => {
    const { t, main, dir } = tenants();
    expect(await t.get(undefined, false)).toBe(main);
    expect(await t.get('acme', false)).toBeUndefined();
    expect(existsSync(join(dir, 'tenants'))).toBe(false);
    expect(await t.list()).toEqual([]);
  });

  it('creates a tenant on first write and isolates its entities', async () => {
    const { t, main } = tenants();
    const acme = await t.get('acme', true);
    await acme!.entities.create(entity('urn:a:1'));
    await main.entities.create(entity('urn:main:1'));
    const other = await t.get('other', true);
    expect(await acme!.entities.get('urn:main:1')).toBeUndefined();
    expect(await main.entities.get('urn:a:1')).toBeUndefined();
    expect(await other!.entities.get('urn:a:1')).toBeUndefined();
    expect((await t.get('acme', false))?.entities).toBe(acme!.entities);
    expect(await t.list()).toEqual(['acme', 'other']);
  });

  it('finds existing tenants again after a restart', async () => {
    const { t, dir } = tenants();
    await (await t.get('acme', true))!.entities.create(entity('urn:a:1'));
    await t.close();
    const again = tenants(dir).t;
    expect(await again.list()).toEqual(['acme']);
    expect(await (await again.get('acme', false))!.entities.get('urn:a:1')).toMatchObject(
      entity('urn:a:1'),
    );
  });

  it('keeps every tenant name inside its folder', async () => {
    const { t, dir } = tenants();
    await (await t.get('../escape', true))!.entities.create(entity('urn:a:1'));
    await (await t.get('a/b', true))!.entities.create(entity('urn:a:2'));
    expect(readdirSync(dir).sort()).toEqual(['main.db', 'main.db-shm', 'main.db-wal', 'tenants']);
    expect(await t.list()).toEqual(['../escape', 'a/b']);
    await expect(t.get('', true)).rejects.toMatchObject({ code: 'BadRequestData' });
  });
});
