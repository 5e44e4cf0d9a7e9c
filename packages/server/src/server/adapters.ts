import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Bus, BusErrorReporter } from '../bus/index.js';
import { MemoryBus } from '../bus/memory/index.js';
import { NatsBus } from '../bus/nats/index.js';
import type { Store, TenantStores } from '../store/index.js';
import { PostgresStore, PostgresTenants } from '../store/postgres/index.js';
import { SqliteStore, SqliteTenants } from '../store/sqlite/index.js';
import type { Config } from './config-schema.js';

/** The store of a node and its tenants' stores. */
export interface NodeStores {
  store: Store;
  tenants: TenantStores;
  /** What the store is, for the start-up log (no credentials). */
  describe: string;
  /** Drops history older than a time, where the store can (PostgreSQL partitions). */
  dropHistoryBefore?: (epochMs: number) => Promise<number>;
}

/** A URL without its password, fit for a log line. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The configured store: PostgreSQL when `store.url` is set, else the SQLite file in dataDir. */
export async function openStores(config: Config, logger: Logger): Promise<NodeStores> {
  const { url, schema, poolSize } = config.store;
  if (url) {
    const store = await PostgresStore.open({
      url,
      schema,
      pool: poolSize,
      logger: logger.child({ module: 'store' }),
    });
    return {
      store,
      tenants: new PostgresTenants({ default: store }),
      describe: `PostgreSQL ${redactUrl(url)} schema ${schema}`,
      dropHistoryBefore: (epochMs) => store.temporal.dropBefore(epochMs),
    };
  }
  const mmapSize = config.store.mmapMiB * 1024 * 1024;
  const store = new SqliteStore({
    file: join(config.dataDir, 'citybrain.db'),
    synchronous: config.store.synchronous,
    mmapSize,
  });
  const tenants = new SqliteTenants({
    default: store,
    dir: join(config.dataDir, 'tenants'),
    synchronous: config.store.synchronous,
    mmapSize,
  });
  return { store, tenants, describe: `SQLite ${join(config.dataDir, 'citybrain.db')}` };
}

/** The configured bus: NATS JetStream when `bus.url` is set, else the in-process bus. */
export async function openBus(
  config: Config,
  nodeId: string,
  logger: Logger,
): Promise<{ bus: Bus; describe: string }> {
  const onError: BusErrorReporter = (err, event, sub) =>
    logger.error(
      { err, topic: event.topic, subscriber: sub.group ?? sub.topic },
      'event handler failed',
    );
  const { url, stream, subjectPrefix } = config.bus;
  if (!url) return { bus: new MemoryBus(onError), describe: 'in-process' };
  const bus = await NatsBus.connect({
    servers: url.split(',').map((s) => s.trim()),
    stream,
    subjectPrefix,
    name: `citybrain-${nodeId}`,
    onError,
    logger: logger.child({ module: 'bus' }),
  });
  return { bus, describe: `NATS JetStream ${redactUrl(url)} stream ${stream}` };
}
