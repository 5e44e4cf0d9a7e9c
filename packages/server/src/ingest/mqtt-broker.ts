import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { IngestRefusal } from './decode-observation.js';
import type { DeviceRegistry } from './device-registry.js';
import { DeviceSessions } from './device-sessions.js';
import { keptPayload, type IngestGate } from './ingest-gate.js';
import { LoginBlocked, LoginThrottle } from './login-throttle.js';
import { attrsTopic, commandTopic } from './topics.js';

/** Options of the embedded MQTT broker. */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  registry: DeviceRegistry;
  gate: IngestGate;
  logger: Logger;
  /** Limits failed logins; share the node's with HTTP ingest. Default: one of this broker's own. */
  throttle?: LoginThrottle;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  readonly port: number;
  connectedClients(): number;
  close(): Promise<void>;
}

/** MQTT 3.1.1 CONNACK return codes: 3 "server unavailable" tells a device to try again later. */
function authError(returnCode: 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

/** The client's address (TCP, or the HTTP request of a WebSocket). */
const remoteAddress = (client: Client): string | undefined =>
  (client.conn as Partial<Socket>).remoteAddress ?? client.req?.socket.remoteAddress;

/**
 * Starts Aedes on a TCP port with device authentication and topic ACLs. A publish is
 * authorised only once its observations are durable, because Aedes sends the QoS 1
 * PUBACK right after `authorizePublish` calls back. A device removed or registered anew (on
 * any node) loses its open sessions at once. A device or an address that failed to log in too
 * often is refused with return code 3 until its block ends, its secret unchecked.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { registry, gate, logger } = options;
  const aedes = new Aedes({ drainTimeout: 30_000 });
  await aedes.listen();
  const sessions = new DeviceSessions(registry, logger);
  const throttle = options.throttle ?? new LoginThrottle({ logger });

  aedes.authenticate = (client, username, password, done) => {
    const deviceId = username ?? '';
    const secret = password?.toString('utf8') ?? '';
    const attempt = { source: 'mqtt', deviceId, address: remoteAddress(client) } as const;
    throttle
      .login(attempt, () => sessions.login(client, deviceId, secret))
      .then(
        (result) => {
          // Neither dead-lettered nor logged one by one, so that a flood costs no writes: the
          // throttle logs each block once, and counts the refusals.
          if (result instanceof LoginBlocked)
            return done(authError(3, 'too many failed logins: try again later'), false);
          if (typeof result === 'string') {
            void gate.refuse({
              receivedAt: Date.now(),
              source: 'mqtt',
              reason: result,
              detail: `CONNECT refused for client ${client.id}: ${result}`,
              ...(deviceId && { deviceId }),
            });
            logger.warn({ clientId: client.id, deviceId, reason: result }, 'MQTT connect refused');
            done(authError(4, result), false);
            return;
          }
          done(null, true);
        },
        (err: unknown) => done(authError(5, String(err)), false),
      );
  };

  aedes.authorizePublish = (client, packet, done) => {
    const device = client ? sessions.deviceOf(client) : undefined;
    if (!client || !device) return done(new Error('not a device'));
    const receivedAt = Date.now();
    if (packet.topic !== attrsTopic(device.id)) {
      logger.warn(
        { deviceId: device.id, topic: packet.topic },
        'publish to a foreign topic refused',
      );
      void gate
        .refuse({
          receivedAt,
          source: 'mqtt',
          reason: 'topic-not-allowed',
          detail: `device ${device.id} may publish only to ${attrsTopic(device.id)}`,
          deviceId: device.id,
          topic: packet.topic,
          payload: keptPayload(packet.payload),
        })
        .then(() => done(new Error('topic not allowed')));
      return;
    }
    gate
      .accept({ source: 'mqtt', device, payload: packet.payload, receivedAt, topic: packet.topic })
      .then(
        () => done(null),
        (err: unknown) =>
          // A refused payload is acknowledged once its dead letter is durable, so the device
          // does not resend it forever; a failed write drops the connection without PUBACK
          // so that the device resends.
          done(err instanceof IngestRefusal ? null : (err as Error)),
      );
  };

  aedes.authorizeSubscribe = (client, subscription, done) => {
    const device = client ? sessions.deviceOf(client) : undefined;
    if (device && subscription.topic === commandTopic(device.id)) return done(null, subscription);
    logger.warn({ deviceId: device?.id, topic: subscription.topic }, 'subscription refused');
    done(null, null);
  };

  aedes.on('clientDisconnect', (client) => sessions.end(client));
  aedes.on('clientError', (client, err) =>
    logger.debug({ clientId: client.id, err: err.message }, 'MQTT client error'),
  );

  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connectedClients: () => aedes.connectedClients,
    close: () =>
      new Promise<void>((resolve) => {
        sessions.stop();
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
