import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import { installErrorHandler } from '../server/http/error-handler.js';
import { SqliteStore, SqliteTenants } from '../store/sqlite/index.js';
import { ngsiLdPlugin } from './index.js';

describe('OpenAPI', () => {
  it('documents every NGSI-LD route under the NGSI-LD tag', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    const bus = new MemoryBus(() => {});
    const app = Fastify();
    installErrorHandler(app);
    await app.register(fastifySwagger, {
      openapi: { openapi: '3.1.0', info: { title: 't', version: '0' } },
    });
    const tenants = new SqliteTenants({ default: store, dir: '/nonexistent-citybrain-tenants' });
    await app.register(ngsiLdPlugin, { prefix: '/ngsi-ld/v1', tenants, bus });
    await app.ready();
    const doc = app.swagger() as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[] }>
      >;
    };
    const operations = (path: string) => doc.paths[path] ?? {};
    expect(Object.keys(operations('/ngsi-ld/v1/entities')).sort()).toEqual(['get', 'post']);
    expect(Object.keys(operations('/ngsi-ld/v1/entities/{id}')).sort()).toEqual([
      'delete',
      'get',
      'patch',
      'put',
    ]);
    expect(Object.keys(operations('/ngsi-ld/v1/entities/{id}/attrs')).sort()).toEqual([
      'patch',
      'post',
    ]);
    expect(Object.keys(operations('/ngsi-ld/v1/entities/{id}/attrs/{attrId}')).sort()).toEqual([
      'delete',
      'patch',
      'put',
    ]);
    for (const op of ['create', 'upsert', 'update', 'delete', 'merge', 'query'])
      expect(operations(`/ngsi-ld/v1/entityOperations/${op}`).post, op).toBeDefined();
    // Temporal and subscription routes come with the plugin.
    expect(operations('/ngsi-ld/v1/subscriptions').post).toBeDefined();
    expect(operations('/ngsi-ld/v1/temporal/entities').get).toBeDefined();
    for (const path of ['/types', '/types/{type}', '/attributes', '/attributes/{attrId}'])
      expect(operations(`/ngsi-ld/v1${path}`).get, path).toBeDefined();
    const query = operations('/ngsi-ld/v1/entities').get;
    expect(query?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        ...['type', 'id', 'idPattern', 'q', 'scopeQ', 'georel', 'geometry', 'coordinates'],
        ...['limit', 'offset', 'count', 'options', 'pick', 'omit', 'lang', 'format'],
      ]),
    );
    for (const [path, ops] of Object.entries(doc.paths))
      for (const op of Object.values(ops)) {
        expect(op.tags, path).toEqual(['NGSI-LD']);
        expect(op.summary, path).toBeTruthy();
      }
    await app.close();
    await store.close();
  });
});
