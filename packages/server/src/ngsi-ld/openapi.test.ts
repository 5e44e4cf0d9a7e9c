import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import { installErrorHandler } from '../server/http/error-handler.js';
import { SqliteStore } from '../store/sqlite/index.js';
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
    await app.register(ngsiLdPlugin, { prefix: '/ngsi-ld/v1', store, bus });
    await app.ready();
    const doc = app.swagger() as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[] }>
      >;
    };
    const operations = (path: string) => doc.paths[path] ?? {};
    expect(Object.keys(operations('/ngsi-ld/v1/entities')).sort()).toEqual(['get', 'post']);
    expect(Object.keys(operations('/ngsi-ld/v1/entities/{id}')).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(operations('/ngsi-ld/v1/entities/{id}/attrs')).sort()).toEqual([
      'patch',
      'post',
    ]);
    expect(operations('/ngsi-ld/v1/types').get).toBeDefined();
    const temporal = operations('/ngsi-ld/v1/temporal/entities/{id}').get;
    expect(temporal?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['id', 'timerel', 'timeAt', 'endTimeAt', 'lastN', 'attrs']),
    );
    const query = operations('/ngsi-ld/v1/entities').get;
    expect(query?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['type', 'id', 'q', 'limit', 'offset', 'count', 'options']),
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
