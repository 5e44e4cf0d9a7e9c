import { join } from 'node:path';
import type { Logger } from 'pino';
import { AlertService, RuleEngine } from '../brain/index.js';
import { MemoryBus } from '../bus/memory/index.js';
import {
  DeviceRegistry,
  IngestGate,
  IngestPipeline,
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../ingest/index.js';
import { startSimulation, type Simulation } from '../sim/index.js';
import { SqliteStore, SqliteTenants } from '../store/sqlite/index.js';
import { loadContextFiles } from './context-files.js';
import { resolveAdminToken } from './admin-token.js';
import { ConfigError } from './config.js';
import type { Config } from './config-schema.js';
import { buildHttpApp } from './http/build-app.js';
import { createMetrics } from './metrics.js';

/** A running citybrain node. */
export interface RunningNode {
  httpPort: number;
  mqttPort: number;
  adminToken: string;
  /** Stops in order: simulator, HTTP, broker, pending writes, rules, bus, store. */
  stop(): Promise<void>;
}

async function listenBroker(
  config: Config,
  options: Omit<Parameters<typeof startEmbeddedBroker>[0], 'host' | 'port'>,
): Promise<EmbeddedBroker> {
  const { host, port } = config.mqtt;
  try {
    return await startEmbeddedBroker({ ...options, host, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (!config.demo.enabled)
      throw new ConfigError(
        `MQTT port ${port} is already in use (another broker such as Mosquitto?): choose another with --mqtt-port`,
      );
    const broker = await startEmbeddedBroker({ ...options, host, port: 0 });
    options.logger.warn(
      { wanted: port, port: broker.port },
      `MQTT PORT ${port} IS TAKEN: the demo's embedded broker listens on ${broker.port} instead`,
    );
    return broker;
  }
}

/** Starts a node on its embedded adapters: the composition root, the one place naming adapters. */
export async function startNode(config: Config, logger: Logger): Promise<RunningNode> {
  const store = new SqliteStore({
    file: join(config.dataDir, 'citybrain.db'),
    synchronous: config.store.synchronous,
  });
  const tenants = new SqliteTenants({
    default: store,
    dir: join(config.dataDir, 'tenants'),
    synchronous: config.store.synchronous,
  });
  const preloadedContexts = loadContextFiles(config.ngsiLd.contexts);
  const bus = new MemoryBus((err, event, sub) =>
    logger.error(
      { err, topic: event.topic, subscriber: sub.group ?? sub.topic },
      'event handler failed',
    ),
  );
  const metrics = createMetrics();
  const registry = new DeviceRegistry(store);
  const pipeline = new IngestPipeline({
    store,
    bus,
    logger,
    metrics: metrics.ingest,
    maxBatch: config.ingest.maxBatch,
  });
  const gate = new IngestGate(pipeline, metrics.ingest);
  for (const d of config.devices) if (!(await registry.get(d.id))) await registry.register(d);

  const alerts = new AlertService(store, bus, logger);
  const engine = new RuleEngine({ rules: config.rules, bus, store, alerts, logger });
  await engine.start();
  await bus.subscribe({ topic: 'alert.raised' }, () => metrics.alertsRaised.inc());

  const adminToken = resolveAdminToken(config.auth.adminToken, config.dataDir);
  const broker = await listenBroker(config, {
    registry,
    gate,
    logger,
  });
  metrics.gauge('citybrain_mqtt_clients', 'Connected MQTT clients', () =>
    broker.connectedClients(),
  );
  metrics.gauge(
    'citybrain_ingest_backlog',
    'Observations waiting for a commit',
    () => pipeline.backlog,
  );

  const app = await buildHttpApp({
    logger,
    store,
    tenants,
    contexts: { preloaded: preloadedContexts, fetch: config.ngsiLd.fetchContexts },
    bus,
    registry,
    gate,
    metrics,
    alerts,
    auth: { mode: config.auth.mode, adminToken },
    cityName: config.demo.enabled
      ? { en: 'Hangzhou (simulated)', zh: '杭州（模拟）' }
      : { en: 'citybrain', zh: '城市大脑' },
    rules: () => engine.rules,
    checks: { store: () => store.ready(), mqtt: () => broker.port > 0 },
  });
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    await broker.close();
    await tenants.close();
    await store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new ConfigError(
        `HTTP port ${config.http.port} is already in use: choose another with --port`,
      );
    throw err;
  }
  const address = app.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
  if (config.auth.mode === 'none')
    logger.warn(
      'AUTHENTICATION IS OFF (--auth none): anyone who can reach this node can read and write',
    );

  let simulation: Simulation | undefined;
  if (config.demo.enabled) {
    simulation = await startSimulation({
      httpUrl: `http://127.0.0.1:${httpPort}`,
      mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      adminToken,
      devicesPerKind: config.demo.devicesPerKind,
      intervalMs: config.demo.intervalMs,
      seed: config.demo.seed,
      episode: config.demo.episode,
      logger: logger.child({ module: 'sim' }),
    });
  }

  let stopping: Promise<void> | undefined;
  return {
    httpPort,
    mqttPort: broker.port,
    adminToken,
    stop: () =>
      (stopping ??= (async () => {
        await simulation?.stop();
        await app.close();
        await broker.close();
        await pipeline.flush();
        await engine.stop();
        await bus.close();
        await tenants.close();
        await store.close();
      })()),
  };
}
