import {
  connect,
  type ErrorWithReasonCode,
  type IClientOptions,
  type IPublishPacket,
  type MqttClient,
} from 'mqtt';
import type { Logger } from 'pino';
import { CityError } from '../core/index.js';
import { IngestRefusal } from './decode-observation.js';
import type { DeviceRegistry } from './device-registry.js';
import { keptPayload, type IngestGate } from './ingest-gate.js';
import {
  isNodeTopic,
  SESSION_TAKEN_OVER,
  SessionTakeover,
  sessionWill,
  takeoverFilter,
} from './session-takeover.js';
import { DEVICE_ID_PATTERN, DEVICE_TOPIC_PREFIX } from './topics.js';

/** Options of external-broker ingest. */
export interface ExternalMqttIngestOptions {
  /** The broker, `mqtt://host:port` (or `mqtts://`). */
  url: string;
  /** citybrain's own service account on the broker. */
  username?: string;
  password?: string;
  /**
   * Stable per node: a restarted node must reuse it to get back its persistent sessions
   * and the messages the broker kept for them. Sessions are `<clientId>-0` … `-<n-1>`.
   */
  clientId: string;
  /** The shared-subscription group all nodes of one deployment join (default `citybrain`). */
  group?: string;
  /**
   * Sessions per node (default 8). Each has up to `RECEIVE_MAXIMUM` messages in hand; the
   * shared subscription spreads the load over all sessions of all nodes.
   */
  connections?: number;
  /** How long the broker keeps a disconnected session and its messages (default 1 day). */
  sessionExpirySeconds?: number;
  /** Reconnect backoff: first wait, doubled up to the max, with jitter (1 s … 30 s). */
  reconnect?: { minMs?: number; maxMs?: number };
  /** How long start waits for every session to subscribe (default 15 s). */
  startTimeoutMs?: number;
  /**
   * Taking over the sessions of nodes that die (on by default): every session has a Last
   * Will, published `willDelaySeconds` (default 2) after its connection drops without a
   * DISCONNECT unless it reconnects first; one live node of the group then drains it.
   */
  takeover?: { enabled?: boolean; willDelaySeconds?: number };
  registry: DeviceRegistry;
  gate: IngestGate;
  logger: Logger;
}

/** Ingest from an external broker. */
export interface ExternalMqttIngest {
  /** True when every session, and the takeover listener, is connected. */
  connected(): boolean;
  /**
   * Leaves the group, finishes the messages in hand and the takeovers under way (10 s at
   * most), disconnects: the sessions stay, and no will is published.
   */
  close(): Promise<void>;
}

const ATTRS_TOPIC = new RegExp(`^${DEVICE_TOPIC_PREFIX}([^/]+)/attrs$`);

/**
 * How many messages the broker may send a session before their PUBACKs (MQTT 5 Receive
 * Maximum): what a session has in hand at most, waiting for commits. Sessions x this bounds a
 * node's memory when PostgreSQL is slow; the broker may apply a lower limit of its own.
 */
export const RECEIVE_MAXIMUM = 256;

/** Takes one message; resolves once it may be acknowledged, rejects if it must come again. */
export type MessageRoute = (topic: string, payload: Buffer) => Promise<void>;

/** Resolves once a message may be acknowledged: durable as observations or as a dead letter. */
async function ingestMessage(
  options: ExternalMqttIngestOptions,
  topic: string,
  payload: Buffer,
): Promise<void> {
  const { registry, gate } = options;
  const receivedAt = Date.now();
  const deviceId = ATTRS_TOPIC.exec(topic)?.[1];
  if (deviceId === undefined || !DEVICE_ID_PATTERN.test(deviceId))
    return gate.refuse({
      receivedAt,
      source: 'mqtt',
      reason: 'topic-not-allowed',
      detail: `not a device attrs topic: ${topic}`,
      topic,
      payload: keptPayload(payload),
    });
  const device = await registry.get(deviceId);
  if (!device)
    // The broker let it in, but citybrain does not know it (removed, or registered elsewhere).
    return gate.refuse({
      receivedAt,
      source: 'mqtt',
      reason: 'unknown-device',
      detail: `device ${deviceId} is not registered`,
      deviceId,
      topic,
      payload: keptPayload(payload),
    });
  try {
    await gate.accept({ source: 'mqtt', device, payload, receivedAt, topic });
  } catch (err) {
    // A refused payload is dead-lettered durably: acknowledge it so it is not resent forever.
    if (!(err instanceof IngestRefusal)) throw err;
  }
}

/** The messages of one MQTT connection, each acknowledged only once its route resolved. */
export interface DurableDelivery {
  /** For the connection's options: mqtt.js then sends a PUBACK only when told to. */
  customHandleAcks: NonNullable<IClientOptions['customHandleAcks']>;
  /** Takes the connection's QoS 0 messages too, and notices its reconnections. */
  attach(client: MqttClient): void;
  /** Messages taken and not yet acknowledged (or given up). */
  inHand(): number;
  /** When the last message arrived (epoch ms), 0 before the first. */
  lastMessageAt(): number;
}

/** mqtt.js 5's internal packet writer, through which it sends every PUBACK. */
type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void) => void;

/**
 * Every PUBACK to the broker waits for the route (the message durable), and the PUBACKs of
 * a connection go out in the order its messages came. Many messages of one connection are
 * in hand at once (as many as the broker sends before a PUBACK: its inflight limit), so
 * that they share group commits: mqtt.js by itself takes the next message only once the
 * last one's PUBACK is sent, which would leave one message per connection in each commit.
 * A failure sends no PUBACK and drops the connection, since the broker resends an
 * unacknowledged message only on a new connection. QoS 0 messages cannot be redelivered.
 */
export function durableDelivery(route: MessageRoute, log: Logger): DurableDelivery {
  let client: MqttClient | undefined;
  let send: SendPacket | undefined;
  let generation = 0;
  let inHand = 0;
  let lastMessageAt = 0;
  /** Settles once every PUBACK due so far on this connection was sent or given up. */
  let acked: Promise<void> = Promise.resolve();
  const handle = (topic: string, payload: Buffer, messageId?: number) => {
    const seen = generation;
    inHand++;
    lastMessageAt = Date.now();
    const durable = route(topic, payload).then(
      () => true,
      (err: unknown) => {
        if (messageId === undefined) {
          log.error({ err, topic }, 'ingest write failed: QoS 0 message lost');
        } else if (seen === generation) {
          // The PUBACKs queued behind this one must not go out either.
          generation++;
          log.error({ err, topic }, 'ingest write failed: reconnecting so the broker redelivers');
          client?.stream.destroy();
        }
        return false;
      },
    );
    if (messageId === undefined) {
      void durable.finally(() => inHand--);
      return;
    }
    acked = acked
      .then(() => durable)
      .then((ok) => {
        // A PUBACK across a reconnect could name another message of the new connection.
        if (ok && seen === generation && client?.connected) send!({ cmd: 'puback', messageId });
      })
      .finally(() => inHand--);
  };
  return {
    customHandleAcks: (topic, payload, packet: IPublishPacket, ack) => {
      handle(topic, payload, packet.messageId);
      // Lets mqtt.js go on to the next message; the PUBACK it then sends is held (attach).
      ack(0);
    },
    attach: (c) => {
      client = c;
      const internal = c as unknown as { _sendPacket?: SendPacket };
      const original = internal._sendPacket;
      if (typeof original !== 'function')
        throw new Error('this mqtt.js has no _sendPacket: PUBACKs cannot wait for durability');
      send = (packet, cb) => original.call(c, packet, cb);
      internal._sendPacket = (packet, cb, ...rest: unknown[]) => {
        // mqtt.js's own PUBACK, sent as soon as a message is taken: ours follows the commit.
        if (packet.cmd === 'puback') return cb?.();
        return (original as (...args: unknown[]) => void).call(c, packet, cb, ...rest);
      };
      c.on('message', (topic, payload, packet) => {
        // QoS 1 messages went through customHandleAcks; QoS 0 ones have nothing to acknowledge.
        if (packet.qos === 0) handle(topic, payload);
      });
      c.on('close', () => {
        generation++;
        acked = Promise.resolve();
      });
    },
    inHand: () => inHand,
    lastMessageAt: () => lastMessageAt,
  };
}

interface Session {
  client: MqttClient;
  /** Resolves at the first subscription; rejects if the broker refuses the account. */
  subscribed: Promise<void>;
  inHand(): number;
  close(): Promise<void>;
}

/** One connection of the node: what it subscribes to, and how it keeps its session. */
interface SessionSpec {
  clientId: string;
  filter: string;
  route: MessageRoute;
  /** A persistent session (Clean Start off, session expiry); else gone with its connection. */
  persistent: boolean;
  will?: IClientOptions['will'];
  keepaliveSeconds?: number;
}

function openSession(options: ExternalMqttIngestOptions, spec: SessionSpec): Session {
  const { logger } = options;
  const { clientId, filter } = spec;
  const minMs = options.reconnect?.minMs ?? 1000;
  const maxMs = options.reconnect?.maxMs ?? 30_000;
  let everSubscribed = false;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const subscribed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const log = logger.child({ mqttSession: clientId });
  const delivery = durableDelivery(spec.route, log);

  const client = connect(options.url, {
    protocolVersion: 5,
    clientId,
    clean: !spec.persistent,
    ...(spec.persistent && {
      properties: {
        sessionExpiryInterval: options.sessionExpirySeconds ?? 86_400,
        receiveMaximum: RECEIVE_MAXIMUM,
      },
    }),
    ...(spec.will && { will: spec.will }),
    ...(spec.keepaliveSeconds !== undefined && { keepalive: spec.keepaliveSeconds }),
    ...(options.username !== undefined && { username: options.username }),
    ...(options.password !== undefined && { password: options.password }),
    resubscribe: false,
    reconnectPeriod: minMs,
    reconnectOnConnackError: true,
    customHandleAcks: delivery.customHandleAcks,
  });
  delivery.attach(client);
  client.on('connect', (connack) => {
    client.options.reconnectPeriod = minMs;
    log.info({ sessionPresent: connack.sessionPresent }, 'connected to the MQTT broker');
    client.subscribeAsync(filter, { qos: 1 }).then(
      () => {
        everSubscribed = true;
        settle?.resolve();
      },
      (err: Error) => {
        log.error({ err: err.message, filter }, 'the MQTT broker refused the shared subscription');
        if (!everSubscribed)
          settle?.reject(
            new CityError(
              'Forbidden',
              `the MQTT broker refused ${filter} to ${options.username ?? 'anonymous'}: give the service account the citybrain ingest role`,
              { cause: err },
            ),
          );
      },
    );
  });
  client.on('disconnect', (packet) => {
    // 0x8E: another connection took this session over: a takeover after this connection
    // was lost (it hands the session back when this one reconnects), or a client id twice.
    if (packet.reasonCode === SESSION_TAKEN_OVER)
      log.error(
        'another connection took over this MQTT session: another node draining it after this connection was lost, or two nodes with one clientId (give every node its own)',
      );
  });
  client.on('reconnect', () => {
    const next = Math.min(maxMs, client.options.reconnectPeriod! * 2);
    client.options.reconnectPeriod = Math.round(next * (0.8 + Math.random() * 0.4));
    log.warn({ nextRetryMs: client.options.reconnectPeriod }, 'reconnecting to the MQTT broker');
  });
  client.on('error', (err: Error | ErrorWithReasonCode) => {
    const code = 'code' in err ? err.code : undefined;
    log.warn({ err: err.message, code }, 'MQTT broker connection error');
    // 134 bad user name or password, 135 not authorized: a configuration error at start.
    if (!everSubscribed && (code === 134 || code === 135))
      settle?.reject(
        new CityError(
          'Unauthorized',
          `the MQTT broker at ${options.url} refused citybrain's service account ${options.username ?? '(none)'}: ${err.message}`,
          { cause: err },
        ),
      );
  });

  return {
    client,
    subscribed,
    inHand: () => delivery.inHand(),
    close: async () => {
      // Leave the group first so that the broker stops routing to this node, then finish
      // what was already sent here, so that little waits in the session for a restart.
      if (client.connected)
        await Promise.race([
          client.unsubscribeAsync(filter).catch(() => {}),
          new Promise((r) => setTimeout(r, 2000)),
        ]);
      const deadline = Date.now() + 10_000;
      while (
        Date.now() < deadline &&
        (delivery.inHand() > 0 || Date.now() - delivery.lastMessageAt() < 200)
      )
        await new Promise((r) => setTimeout(r, 50));
      // A DISCONNECT: the broker publishes no will, nobody takes the session over.
      await client.endAsync(!client.connected);
    },
  };
}

/**
 * Ingests device messages from an external MQTT broker that authenticates devices and
 * enforces their topic ACLs (Mosquitto's dynamic security, EMQX, VerneMQ): every node
 * joins one shared subscription with persistent sessions, so each message is handled by one
 * node and is acknowledged to the broker only once durable; the sessions of a node that dies
 * are taken over by the others (`session-takeover.ts`). Rejects when the broker refuses the
 * service account or cannot be reached at start; afterwards reconnects forever.
 */
export async function startExternalMqttIngest(
  options: ExternalMqttIngestOptions,
): Promise<ExternalMqttIngest> {
  const group = options.group ?? 'citybrain';
  const count = Math.max(1, options.connections ?? 8);
  const ids = Array.from({ length: count }, (_, i) => `${options.clientId}-${i}`);
  const ingestFilter = `$share/${group}/${DEVICE_TOPIC_PREFIX}+/attrs`;
  // A session handed back by a takeover may still receive its marker: no device data.
  const route: MessageRoute = (topic, payload) =>
    isNodeTopic(topic) ? Promise.resolve() : ingestMessage(options, topic, payload);
  const takeoverOn = options.takeover?.enabled !== false;
  const willDelaySeconds = options.takeover?.willDelaySeconds ?? 2;
  const sessions = ids.map((clientId) =>
    openSession(options, {
      clientId,
      filter: ingestFilter,
      route,
      persistent: true,
      ...(takeoverOn && {
        will: sessionWill({
          sessionId: clientId,
          group,
          node: options.clientId,
          delaySeconds: willDelaySeconds,
        }),
      }),
    }),
  );
  const takeover = takeoverOn
    ? new SessionTakeover({
        url: options.url,
        ...(options.username !== undefined && { username: options.username }),
        ...(options.password !== undefined && { password: options.password }),
        group,
        node: options.clientId,
        ingestFilter,
        isOwnSession: (id) => ids.includes(id),
        willDelaySeconds,
        sessionExpirySeconds: options.sessionExpirySeconds ?? 86_400,
        route,
        delivery: durableDelivery,
        logger: options.logger.child({ mqttTakeover: options.clientId }),
      })
    : undefined;
  // Not persistent: a dead node's listener must leave the group at once, or wills would
  // wait in it. Its short keepalive drops it before the sessions whose wills it could get.
  const listener =
    takeover &&
    openSession(options, {
      clientId: `${options.clientId}-takeover`,
      filter: takeoverFilter(group),
      route: takeover.handleWill,
      persistent: false,
      keepaliveSeconds: 10,
    });
  const all = listener ? [...sessions, listener] : sessions;
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(all.map((s) => s.subscribed)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new CityError(
                'ServiceUnavailable',
                `the MQTT broker at ${options.url} did not accept citybrain within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    await Promise.all(all.map((s) => s.client.endAsync(true)));
    throw err;
  } finally {
    clearTimeout(timer);
  }
  options.logger.info(
    { url: options.url, sessions: count, group, takeover: takeoverOn },
    'ingesting from the external MQTT broker',
  );
  const stop = async () => {
    // No new takeovers; those under way get the time the sessions get to finish.
    await listener?.close();
    await Promise.all([...sessions.map((s) => s.close()), takeover?.close(Date.now() + 10_000)]);
  };
  let closing: Promise<void> | undefined;
  return {
    connected: () => all.every((s) => s.client.connected),
    close: () => (closing ??= stop()),
  };
}
