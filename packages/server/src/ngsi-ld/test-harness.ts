import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BusEvent } from '../bus/index.js';
import { MemoryBus } from '../bus/memory/index.js';
import { installErrorHandler } from '../server/http/error-handler.js';
import { SqliteStore, SqliteTenants } from '../store/sqlite/index.js';
import { ngsiLdPlugin, type NgsiLdOptions } from './index.js';

/** A running NGSI-LD app on a real SQLite file and a real in-memory bus, for tests. */
export interface TestBroker {
  app: FastifyInstance;
  store: SqliteStore;
  tenants: SqliteTenants;
  bus: MemoryBus;
  /** Every `entity.changed` event published so far. */
  events: BusEvent[];
  close(): Promise<void>;
}

/** Plugin options a test may set (the harness provides tenants and bus). */
export type TestBrokerOptions = Partial<Omit<NgsiLdOptions, 'tenants' | 'bus'>>;

/**
 * Builds the plugin as the server owner does: error handler at the root, prefix /ngsi-ld/v1.
 * `options` overrides plugin options (e.g. `preloadedContexts`, `fetchContexts: false`).
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-'));
  const store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const tenants = new SqliteTenants({
    default: store,
    dir: join(dir, 'tenants'),
    synchronous: 'normal',
  });
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
      await tenants.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (busErrors.length > 0) throw new Error(`bus handler failed: ${String(busErrors[0])}`);
    },
  };
}

/** Lets the memory bus deliver what was published. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
