import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  alertSink,
  createCommandServices,
  connectMqttPublisher,
  RuleEngine,
  startNotifications,
  type EngineStats,
} from '../brain/index.js';
import { IngestGate, IngestPipeline, LoginThrottle } from '../ingest/index.js';
import { startSimulation, type Simulation } from '../sim/index.js';
import { openBus, openStores } from './adapters.js';
import { loadContextFiles } from './context-files.js';
import { resolveAdminToken } from './admin-token.js';
import { ConfigError } from './config.js';
import type { Config } from './config-schema.js';
import { openDeviceRegistry, startDeviceIngest } from './device-ingest.js';
import { startHistoryRetention } from './retention.js';
import { buildHttpApp } from './http/build-app.js';
import { trustProxyOption } from './http/trust-proxy.js';
import { tokenMatcher } from './http/auth.js';
import { API_KEYS, ApiKeys, Authenticator, OidcVerifier, type ApiKey } from '../sharing/index.js';
import { startSharing } from './sharing-setup.js';
import { createMetrics } from './metrics.js';

/** A running citybrain node. */
export interface RunningNode {
  httpPort: number;
  /** The embedded MQTT broker's port; 0 when devices use an external broker. */
  mqttPort: number;
  /** Where devices connect. */
  deviceUrl: string;
  adminToken: string;
  /** Stops in order: simulator, HTTP, device ingest, pending writes, rules, bus, store. */
  stop(): Promise<void>;
}

/** Settings that cannot work as given (scale-out, rule leases), checked before anything starts. */
function checkScaleOut(config: Config): void {
  if (config.store.url && config.auth.mode === 'token' && !config.auth.adminToken)
    throw new ConfigError(
      'a node on a shared store needs auth.adminToken (CITYBRAIN_ADMIN_TOKEN), the same on every node: it cannot invent one in its data directory',
    );
  if (config.mqtt.dynsec && !config.mqtt.url)
    throw new ConfigError('mqtt.dynsec applies to an external broker: set mqtt.url too');
  // A node stops acting on a rule renewMs before its lease ends: renewing every renewMs must
  // leave it a round's margin, or it would keep dropping its own rules.
  const { ttlMs, renewMs } = config.ruleEngine.leases;
  if (ttlMs < 3 * renewMs)
    throw new ConfigError(
      `ruleEngine.leases.ttlMs (${ttlMs}) must be at least 3 × ruleEngine.leases.renewMs (${renewMs})`,
    );
}

/** Starts a node on its configured adapters: the composition root, the one place naming adapters. */
export async function startNode(config: Config, logger: Logger): Promise<RunningNode> {
  checkScaleOut(config);
  const trustProxy = trustProxyOption(config.http.trustProxy);
  const nodeId = config.node.id ?? `${hostname()}-${config.http.port}`;
  const {
    store,
    tenants,
    describe: storeName,
    dropHistoryBefore,
  } = await openStores(config, logger);
  const days = config.store.historyRetentionDays;
  if (days > 0 && !dropHistoryBefore)
    logger.warn('store.historyRetentionDays applies to the PostgreSQL store only: ignored');
  const stopRetention =
    days > 0 && dropHistoryBefore
      ? startHistoryRetention({ days, dropBefore: dropHistoryBefore, logger })
      : undefined;
  const preloadedContexts = loadContextFiles(config.ngsiLd.contexts);
  const { bus, describe: busName } = await openBus(config, nodeId, logger);
  logger.info({ node: nodeId, store: storeName, bus: busName }, 'adapters');
  const metrics = createMetrics();
  const { registry, dynsec } = await openDeviceRegistry(config, { store, bus, logger });
  const pipeline = new IngestPipeline({
    store,
    bus,
    logger,
    metrics: metrics.ingest,
    maxBatch: config.ingest.maxBatch,
    commits: config.ingest.commits,
  });
  const gate = new IngestGate(pipeline, metrics.ingest);
  // One for MQTT and HTTP: a client cannot double its tries by switching protocol.
  const throttle = new LoginThrottle({
    limits: config.ingest.failedLogins,
    logger: logger.child({ module: 'ingest' }),
    metrics: metrics.logins,
  });
  for (const d of config.devices) if (!(await registry.get(d.id))) await registry.register(d);
  if (dynsec) await dynsec.syncAll(store.devices);

  const command = createCommandServices({ store, bus, logger });
  const alerts = command.alerts;
  const { leases, ...ruleTimings } = config.ruleEngine;
  const engine = new RuleEngine({
    rules: config.rules,
    bus,
    store,
    alerts: alertSink(alerts, store),
    logger: logger.child({ module: 'rules' }),
    ...ruleTimings,
    // On a shared bus, the nodes share the rules out by leases in the store.
    ...(config.bus.url && { share: { nodeId, ...leases } }),
  });
  await engine.start();
  metrics.gauge(
    'citybrain_rules_held',
    'Active rules this node evaluates',
    () => engine.rules.length,
  );
  metrics.gauge(
    'citybrain_rules_groups',
    "Runs in the rules' thread: rules of one type keyed alike evaluated as one, or a rule alone",
    () => engine.groups,
  );
  metrics.gauge(
    'citybrain_rules_rebuilding',
    'Runs whose state is being rebuilt from the history',
    () => engine.rebuilding,
  );
  metrics.gauge(
    'citybrain_rules_waiting',
    'Facts (observations, entity changes) waiting for the rules',
    () => engine.backlog.waiting,
  );
  const engineCounters: [string, string, keyof EngineStats][] = [
    [
      'facts_evaluated',
      'Facts taken by a group of rules (a fact read by two groups counts twice)',
      'facts',
    ],
    ['replays', 'Replays of a rule key for facts that came out of order', 'replays'],
    ['facts_reordered', 'Facts that came out of order within the lateness', 'reordered'],
    ['facts_absorbed', 'Facts out of order that a rule key took without a replay', 'absorbed'],
    ['facts_too_late', "Facts older than their rule key's watermark: ignored", 'tooLate'],
  ];
  for (const [name, help, stat] of engineCounters)
    metrics.gauge(
      `citybrain_rules_${name}`,
      `${help}, since start (rules held now)`,
      () => engine.engineStats()[stat],
    );
  metrics.gauge(
    'citybrain_rules_rebuilds_cut',
    'Rule state rebuilds whose history read stopped at the cap, since start',
    () => engine.stats.rebuildsCut,
  );
  command.start();
  await bus.subscribe({ topic: 'alert.raised' }, () => metrics.alertsRaised.inc());

  const adminToken = resolveAdminToken(config.auth.adminToken, config.dataDir);
  const sharing = await startSharing(config, { store, bus, logger, preloadedContexts });
  const apiKeys = new ApiKeys(store.collection<ApiKey>(API_KEYS), bus);
  await apiKeys.start();
  const devices = await startDeviceIngest(config, {
    nodeId,
    registry,
    gate,
    throttle,
    logger,
  });
  metrics.gauge(
    'citybrain_mqtt_clients',
    'Devices connected to the embedded MQTT broker',
    () => devices.connectedClients() ?? 0,
  );
  metrics.gauge(
    'citybrain_ingest_backlog',
    'Observations waiting for a commit',
    () => pipeline.backlog,
  );

  // MQTT notifications go to the external broker; the embedded one takes devices only (for now).
  const notifyMqtt = config.mqtt.url
    ? connectMqttPublisher({
        url: config.mqtt.url,
        clientId: `citybrain-${nodeId}-notify`,
        ...(config.mqtt.username !== undefined && { username: config.mqtt.username }),
        ...(config.mqtt.password !== undefined && { password: config.mqtt.password }),
        onError: (err) => logger.warn({ err: err.message }, 'MQTT notification publisher'),
      })
    : undefined;
  const notifications = await startNotifications({
    store,
    bus,
    logger: logger.child({ module: 'notify' }),
    settings: config.notify,
    ...(notifyMqtt && { mqttPublish: notifyMqtt.publish }),
  });
  metrics.gauge(
    'citybrain_notification_backlog',
    'Notification deliveries waiting or under way on this node',
    () => notifications.backlog,
  );
  const app = await buildHttpApp({
    logger,
    trustProxy,
    store,
    tenants,
    contexts: { preloaded: preloadedContexts, fetch: config.ngsiLd.fetchContexts },
    bus,
    registry,
    gate,
    throttle,
    metrics,
    command,
    notifications,
    auth: {
      mode: config.auth.mode,
      publicReads: config.auth.publicReads,
      adminToken,
      authenticator: new Authenticator({
        isAdminToken: tokenMatcher(adminToken),
        apiKeys,
        ...(config.auth.oidc && { oidc: new OidcVerifier(config.auth.oidc) }),
      }),
    },
    apiKeys,
    sharing: sharing.registry,
    policy: sharing.policy,
    audit: store.audit,
    auditor: sharing.auditor,
    cityName: config.demo.enabled
      ? { en: 'Hangzhou (simulated)', zh: '杭州（模拟）' }
      : { en: 'citybrain', zh: '城市大脑' },
    rules: engine.store,
    checks: { store: () => store.ready(), mqtt: () => devices.ready() },
  });
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    await notifications.stop();
    await notifyMqtt?.close();
    await devices.close();
    await sharing.close();
    await dynsec?.close();
    await bus.close();
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
      mqttUrl: devices.deviceUrl,
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
    mqttPort: devices.port ?? 0,
    deviceUrl: devices.deviceUrl,
    adminToken,
    stop: () =>
      (stopping ??= (async () => {
        await simulation?.stop();
        await app.close();
        await devices.close();
        await pipeline.close();
        await dynsec?.close();
        command.stop();
        await engine.stop();
        await notifications.stop();
        await notifyMqtt?.close();
        await apiKeys.stop();
        await registry.stop();
        await sharing.close();
        stopRetention?.();
        await bus.close();
        await tenants.close();
        await store.close();
      })()),
  };
}
