import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import type { AuditEntry, AuditRecord } from '../port.js';
import { PostgresStore } from './postgres-store.js';
import { dropSchemas, randomSchema } from './test-schema.js';

const pg = await serviceAvailable('postgres');
const url = SERVICES.postgres;

const open: { store: PostgresStore; schema: string }[] = [];
async function openStore(schema: string): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url, schema, pool: 4 });
  open.push({ store, schema });
  return store;
}
afterEach(async () => {
  const all = open.splice(0);
  for (const { store } of all) await store.close();
  if (all.length) await dropSchemas(url, ...new Set(all.map((o) => o.schema)));
});

const link = (prevHash: string, seq: number, entry: AuditEntry) =>
  createHash('sha256')
    .update(`${prevHash}|${seq}|${JSON.stringify(entry)}`)
    .digest('hex');

describe.skipIf(!pg)('PgAuditTable', () => {
  it('makes one chain of the appends of two nodes running at once', async () => {
    const schema = randomSchema();
    // Two stores on one schema stand for two nodes: their transactions interleave on the server.
    const nodes = { a: await openStore(schema), b: await openStore(schema) };
    const appended = new Map<string, AuditEntry>();
    const returned: AuditRecord[] = [];
    const batch = (node: string, b: number): AuditEntry[] =>
      Array.from({ length: 1 + ((b * 7 + node.length) % 5) }, (_, i) => {
        const entry: AuditEntry = {
          at: 1_700_000_000_000 + b * 10 + i,
          actor: `${node}-${b}-${i}`,
          action: 'entity.read',
          resource: `urn:ngsi-ld:Sensor:${b}`,
          result: i % 3 === 0 ? 'deny' : 'allow',
          records: i % 3 === 0 ? 0 : i,
          ...(i % 2 === 0 && { owner: `org-${node}` }),
        };
        appended.set(entry.actor, entry);
        return entry;
      });
    await Promise.all(
      Object.entries(nodes).flatMap(([name, store]) =>
        Array.from({ length: 25 }, async (_, b) => {
          returned.push(...(await store.audit.append(batch(name, b), link)));
        }),
      ),
    );

    const chain = await nodes.a.audit.read(1, 1000);
    expect(chain).toHaveLength(appended.size);
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: appended.size }, (_, i) => i + 1));
    let prevHash = '0'.repeat(64);
    for (const r of chain) {
      expect(r.prevHash).toBe(prevHash);
      // jsonb reorders an entry's keys: hash what was appended, which the stored entry equals.
      const entry = appended.get(r.entry.actor)!;
      expect(r.entry).toEqual(entry);
      expect(r.hash).toBe(link(r.prevHash, r.seq, entry));
      prevHash = r.hash;
    }
    // What each append answered is what was stored, and each entry is in the chain once.
    expect(returned.sort((x, y) => x.seq - y.seq)).toEqual(chain);
    expect(new Set(chain.map((r) => r.entry.actor)).size).toBe(appended.size);
    expect(await nodes.b.audit.head()).toEqual({ seq: chain.length, hash: prevHash });
  });
});
