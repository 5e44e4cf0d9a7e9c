import type { Logger } from 'pino';
import type { Bus } from '../bus/index.js';
import {
  DeviceRegistry,
  MosquittoDynsec,
  startEmbeddedBroker,
  startExternalMqttIngest,
  type IngestGate,
  type LoginThrottle,
} from '../ingest/index.js';
import type { Store } from '../store/index.js';
import { ConfigError } from './config.js';
import type { Config } from './config-schema.js';

/** Where devices connect and how the node takes their messages. */
export interface DeviceIngest {
  /** The embedded broker's port; undefined with an external broker. */
  port: number | undefined;
  /** The URL devices (and the demo's simulator) connect to. */
  deviceUrl: string;
  /** Connected device clients (embedded broker), or undefined. */
  connectedClients(): number | undefined;
  /** True while devices' messages can be taken. */
  ready(): boolean;
  /** Stops taking messages; what is in hand is finished first. */
  close(): Promise<void>;
}

/** A broker URL as devices use it: their own credentials, not the node's. */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/**
 * The device registry, mirrored into Mosquitto's dynamic security when configured, and
 * listening on the bus for devices removed or registered on other nodes (stop it to stop).
 */
export async function openDeviceRegistry(
  config: Config,
  options: { store: Store; bus: Bus; logger: Logger },
): Promise<{ registry: DeviceRegistry; dynsec?: MosquittoDynsec }> {
  const { store, bus, logger } = options;
  const { url, dynsec: admin } = config.mqtt;
  const dynsec =
    url && admin
      ? await MosquittoDynsec.connect({
          url,
          username: admin.username,
          password: admin.password,
          logger: logger.child({ module: 'dynsec' }),
        })
      : undefined;
  const registry = new DeviceRegistry(store, dynsec?.registryHooks(), { bus });
  await registry.start();
  return { registry, ...(dynsec && { dynsec }) };
}

async function listenEmbedded(
  config: Config,
  options: { registry: DeviceRegistry; gate: IngestGate; throttle: LoginThrottle; logger: Logger },
): Promise<DeviceIngest> {
  const { host, port } = config.mqtt;
  const started = async (wanted: number) => {
    const broker = await startEmbeddedBroker({ ...options, host, port: wanted });
    return {
      port: broker.port,
      deviceUrl: `mqtt://127.0.0.1:${broker.port}`,
      connectedClients: () => broker.connectedClients(),
      ready: () => broker.port > 0,
      close: () => broker.close(),
    };
  };
  try {
    return await started(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (!config.demo.enabled)
      throw new ConfigError(
        `MQTT port ${port} is already in use (another broker such as Mosquitto?): choose another with --mqtt-port, or use that broker with --mqtt mqtt://host:${port}`,
      );
    const ingest = await started(0);
    options.logger.warn(
      { wanted: port, port: ingest.port },
      `MQTT PORT ${port} IS TAKEN: the demo's embedded broker listens on ${ingest.port} instead`,
    );
    return ingest;
  }
}

/**
 * Starts taking device messages: from the embedded broker, or (with `mqtt.url`) from an
 * external broker through the nodes' shared subscription, acknowledged once durable.
 */
export async function startDeviceIngest(
  config: Config,
  options: {
    nodeId: string;
    registry: DeviceRegistry;
    gate: IngestGate;
    /** Failed logins at the embedded broker; an external broker checks logins itself. */
    throttle: LoginThrottle;
    logger: Logger;
  },
): Promise<DeviceIngest> {
  const { url, group, username, password, connections } = config.mqtt;
  if (!url) return listenEmbedded(config, options);
  const ingest = await startExternalMqttIngest({
    url,
    clientId: `citybrain-${options.nodeId}`,
    group,
    connections,
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    registry: options.registry,
    gate: options.gate,
    logger: options.logger.child({ module: 'mqtt' }),
  });
  return {
    port: undefined,
    deviceUrl: withoutCredentials(url),
    connectedClients: () => undefined,
    ready: () => ingest.connected(),
    close: () => ingest.close(),
  };
}
