// TEMPORARY: startTestBroker plus the temporal routes, until the plugin wires them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { BusEvent } from '../../bus/index.js';
import { MemoryBus } from '../../bus/memory/index.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { SqliteStore, SqliteTenants } from '../../store/sqlite/index.js';
import { ngsiLdPlugin } from '../index.js';
import type { TestBroker } from '../test-harness.js';
import { temporalRoutes } from './index.js';

export async function startTestBroker(): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-'));
  const store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const tenants = new SqliteTenants({
    default: store,
    dir: join(dir, 'tenants'),
    synchronous: 'normal',
  });
  const bus = new MemoryBus(() => undefined);
  const events: BusEvent[] = [];
  await bus.subscribe({ topic: 'entity.changed' }, (e) => void events.push(e));
  const app = Fastify();
  installErrorHandler(app);
  await app.register(
    async (a) => {
      await ngsiLdPlugin(a, { tenants, bus });
      temporalRoutes(a, { tenants, bus });
    },
    { prefix: '/ngsi-ld/v1' },
  );
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
    },
  };
}
