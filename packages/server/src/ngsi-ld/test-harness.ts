import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BusEvent } from '../bus/index.js';
import { MemoryBus } from '../bus/memory/index.js';
import { installErrorHandler } from '../server/http/error-handler.js';
import type { Store, TenantStores } from '../store/index.js';
import { PostgresStore, PostgresTenants } from '../store/postgres/index.js';
import { dropSchemas, randomSchema } from '../store/postgres/test-schema.js';
import { SqliteStore, SqliteTenants } from '../store/sqlite/index.js';
import { ngsiLdPlugin, type NgsiLdOptions } from './index.js';

/** A running NGSI-LD app on a real store and a real in-memory bus, for tests. */
export interface TestBroker {
  app: FastifyInstance;
  store: Store;
  tenants: TenantStores;
  bus: MemoryBus;
  /** Every `entity.changed` event published so far. */
  events: BusEvent[];
  close(): Promise<void>;
}

/** Plugin options a test may set (the harness provides tenants and bus). */
export type TestBrokerOptions = Partial<Omit<NgsiLdOptions, 'tenants' | 'bus'>>;

/**
 * Which store the harness runs on: `CITYBRAIN_TEST_STORE=postgres` (a fresh schema of the
 * server at CITYBRAIN_TEST_POSTGRES, dropped afterwards) or, by default, a fresh SQLite file.
 * The NGSI-LD conformance suite runs on both (see vitest.config.ts).
 */
async function openTestStores(): Promise<{
  store: Store;
  tenants: TenantStores;
  cleanup(): Promise<void>;
}> {
  if (process.env.CITYBRAIN_TEST_STORE === 'postgres') {
    const url = process.env.CITYBRAIN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = randomSchema('cbc');
    const store = await PostgresStore.open({ url, schema, pool: 4 });
    const tenants = new PostgresTenants({ default: store });
    return {
      store,
      tenants,
      async cleanup() {
        const schemas = await tenants.schemas();
        await tenants.close();
        await store.close();
        await dropSchemas(url, schema, ...schemas);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cb-'));
  const store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const tenants = new SqliteTenants({
    default: store,
    dir: join(dir, 'tenants'),
    synchronous: 'normal',
  });
  return {
    store,
    tenants,
    async cleanup() {
      await tenants.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the plugin as the server owner does: error handler at the root, prefix /ngsi-ld/v1.
 * `options` overrides plugin options (e.g. `preloadedContexts`, `fetchContexts: false`).
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const stores = await openTestStores();
  const { store, tenants } = stores;
  const busErrors: unknown[] = [];
  const bus = new MemoryBus((err) => busErrors.push(err));
  const events: BusEvent[] = [];
  await bus.subscribe({ topic: 'entity.changed' }, (e) => void events.push(e));
  const app = Fastify();
  installErrorHandler(app);
  await app.register(ngsiLdPlugin, { ...options, prefix: '/ngsi-ld/v1', tenants, bus });
  await app.ready();
  return {
    app,
    store,
    tenants,
    bus,
    events,
    async close() {
      await app.close();
      await bus.close();
      await stores.cleanup();
      if (busErrors.length > 0) throw new Error(`bus handler failed: ${String(busErrors[0])}`);
    },
  };
}

/** Lets the memory bus deliver what was published. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
