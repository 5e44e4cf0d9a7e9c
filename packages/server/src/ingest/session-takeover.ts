import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type IConnackPacket } from 'mqtt';
import type { Logger } from 'pino';
import { RECEIVE_MAXIMUM, type DurableDelivery, type MessageRoute } from './external-mqtt.js';

/** Prefix of the topics citybrain nodes talk to each other on, through the broker. */
export const NODE_TOPIC_PREFIX = 'citybrain/v1/nodes/';

/** The Last Will topic of one MQTT session: published by the broker when it dies. */
export function downTopic(sessionId: string): string {
  return `${NODE_TOPIC_PREFIX}${sessionId}/down`;
}

/** The topic a takeover sends itself a marker on, queued behind what the session held. */
export function drainedTopic(sessionId: string): string {
  return `${NODE_TOPIC_PREFIX}${sessionId}/drained`;
}

/** The shared subscription through which one live node of the group gets each will. */
export function takeoverFilter(group: string): string {
  return `$share/${group}-takeover/${NODE_TOPIC_PREFIX}+/down`;
}

/** True for node-to-node topics, which carry no device data. */
export function isNodeTopic(topic: string): boolean {
  return topic.startsWith(NODE_TOPIC_PREFIX);
}

const DOWN_TOPIC = new RegExp(`^${NODE_TOPIC_PREFIX}([^/]+)/down$`);
/** MQTT 5 DISCONNECT reason: another connection took this session over. */
export const SESSION_TAKEN_OVER = 0x8e;
/** A marker can be dropped when the session's queue is full: send another meanwhile. */
const MARKER_RETRY_MS = 3000;

/** What a session's will says (the topic names the session; the payload is informative). */
export interface SessionWill {
  clientId: string;
  group: string;
  /** The node whose connection set the will. */
  node: string;
  /** When that connection opened (the broker publishes the will unchanged). */
  at: string;
}

/**
 * The Last Will of a session: a crash, a SIGKILL or a network loss makes the broker publish
 * it after `delaySeconds`, unless the session reconnects first; a DISCONNECT sends none.
 */
export function sessionWill(will: {
  sessionId: string;
  group: string;
  node: string;
  delaySeconds: number;
}): NonNullable<IClientOptions['will']> {
  const payload: SessionWill = {
    clientId: will.sessionId,
    group: will.group,
    node: will.node,
    at: new Date().toISOString(),
  };
  return {
    topic: downTopic(will.sessionId),
    payload: Buffer.from(JSON.stringify(payload)),
    qos: 1,
    retain: false,
    properties: { willDelayInterval: will.delaySeconds },
  };
}

/** What the takeover of dead sessions needs from the node's ingest. */
export interface SessionTakeoverOptions {
  url: string;
  username?: string;
  password?: string;
  group: string;
  /** This node's client id, named in the wills of its takeover connections. */
  node: string;
  /** The device messages' shared subscription, which a drained session leaves. */
  ingestFilter: string;
  /** True for the sessions this node holds itself: their wills are ignored. */
  isOwnSession(sessionId: string): boolean;
  willDelaySeconds: number;
  sessionExpirySeconds: number;
  /** How long a takeover keeps trying to connect (default 30 s). */
  connectTimeoutMs?: number;
  /** The ingest sessions' route: device messages stored, durable before their PUBACK. */
  route: MessageRoute;
  /** The PUBACK-after-durable delivery of one connection, as the ingest sessions use it. */
  delivery(route: MessageRoute, log: Logger): DurableDelivery;
  logger: Logger;
}

/** How a drain ended. */
type DrainEnd = 'drained' | 'empty' | 'handed-back' | 'interrupted' | 'unreachable';

interface Drain {
  /** Resolves once connected (with its own will) or given up: the will may then be acknowledged. */
  started: Promise<void>;
  ended: Promise<{ end: DrainEnd; messages: number }>;
  /** Drops the connection abruptly: its will hands the session to another node. */
  abandon(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resumes a dead session, ingests all it holds, takes it out of the group and deletes it. */
function drainSession(options: SessionTakeoverOptions, sessionId: string): Drain {
  const log = options.logger.child({ session: sessionId });
  const nonce = randomUUID();
  const marker = drainedTopic(sessionId);
  let drained = false;
  let handedBack = false;
  let messages = 0;
  const delivery = options.delivery(async (topic, payload) => {
    // Our marker went through the session's queue behind every message it held.
    if (topic === marker) {
      if (payload.toString('utf8') === nonce) drained = true;
      return;
    }
    messages++;
    return options.route(topic, payload);
  }, log);
  const client = connect(options.url, {
    protocolVersion: 5,
    clientId: sessionId,
    clean: false,
    properties: {
      sessionExpiryInterval: options.sessionExpirySeconds,
      receiveMaximum: RECEIVE_MAXIMUM,
    },
    // If this node dies mid-drain, its own will hands the session on again.
    will: sessionWill({
      sessionId,
      group: options.group,
      node: options.node,
      delaySeconds: options.willDelaySeconds,
    }),
    ...(options.username !== undefined && { username: options.username }),
    ...(options.password !== undefined && { password: options.password }),
    resubscribe: false,
    reconnectPeriod: 1000,
    customHandleAcks: delivery.customHandleAcks,
  });
  delivery.attach(client);
  client.on('error', (err) => {
    log.warn({ err: err.message }, 'takeover connection error');
  });
  client.on('disconnect', (packet) => {
    // The session's node came back and took it over. Mosquitto 2.0 sends no DISCONNECT
    // then, it just closes the connection: told apart from a lost one only elsewhere.
    if (packet.reasonCode === SESSION_TAKEN_OVER) handedBack = true;
  });
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const connack = new Promise<IConnackPacket | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), options.connectTimeoutMs ?? 30_000);
    const settle = (packet?: IConnackPacket) => {
      clearTimeout(timer);
      resolve(packet);
    };
    client.once('connect', (packet) => {
      // Never reconnect: a connection that drops hands the session on through its will.
      client.options.reconnectPeriod = 0;
      client.once('close', () => markClosed());
      settle(packet);
    });
    client.once('end', () => settle());
    // A refused CONNECT (a numeric reason code) is not retried by mqtt.js.
    client.on('error', (err) => {
      if (!client.connected && typeof (err as { code?: unknown }).code === 'number') settle();
    });
  });
  const whileOpen = <T>(step: Promise<T>): Promise<T> =>
    Promise.race([step, closed.then(() => Promise.reject(new Error('connection closed')))]);

  const drain = async (): Promise<DrainEnd> => {
    const ack = await connack;
    if (!ack) {
      await client.endAsync(true);
      return 'unreachable';
    }
    // The session expired, or another node drained it first: delete the one just created.
    if (!ack.sessionPresent) {
      await client.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
      return 'empty';
    }
    log.info('resumed the session of a dead node: draining it');
    try {
      // Out of the round robin first: from now on only its queue comes, then our marker.
      await whileOpen(client.unsubscribeAsync(options.ingestFilter));
      await whileOpen(client.subscribeAsync(marker, { qos: 1 }));
      let markedAt = 0;
      while (client.connected && !(drained && delivery.inHand() === 0)) {
        if (!drained && Date.now() - markedAt > MARKER_RETRY_MS) {
          markedAt = Date.now();
          await whileOpen(client.publishAsync(marker, nonce, { qos: 1 }));
        }
        await sleep(50);
      }
    } catch {
      // The connection dropped: told below.
    }
    if (!client.connected) {
      // The messages in hand are durable or failing: let them settle before reporting.
      const until = Date.now() + 10_000;
      while (delivery.inHand() > 0 && Date.now() < until) await sleep(50);
      await sleep(50);
      client.end(true);
      return handedBack ? 'handed-back' : 'interrupted';
    }
    // Every message it held is durable and acknowledged: the broker may forget the session.
    await client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    return 'drained';
  };

  return {
    started: connack.then(() => {}),
    ended: drain().then((end) => ({ end, messages })),
    abandon: () => {
      client.stream.destroy();
      client.end(true);
    },
  };
}

function parseWill(payload: Buffer): SessionWill | undefined {
  try {
    const will = JSON.parse(payload.toString('utf8')) as Partial<SessionWill> | null;
    return typeof will?.clientId === 'string' && typeof will.group === 'string'
      ? (will as SessionWill)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes over the MQTT sessions of dead nodes. Mosquitto 2.0 keeps a dead session in its
 * shared subscriptions' round robin, holding its share of the messages until the session
 * reconnects; its will reaches one live node, which resumes the session, stores what it
 * holds, takes it out of the group and deletes it.
 */
export class SessionTakeover {
  private readonly drains = new Map<string, Drain>();

  constructor(private readonly options: SessionTakeoverOptions) {}

  /** The takeover listener's route: resolves once the will may be acknowledged. */
  readonly handleWill: MessageRoute = async (topic, payload) => {
    const sessionId = DOWN_TOPIC.exec(topic)?.[1];
    if (sessionId === undefined) return;
    const log = this.options.logger;
    const will = parseWill(payload);
    if (!will || will.clientId !== sessionId)
      return log.warn({ topic }, 'ignoring a malformed session will');
    // Another deployment sharing the broker: its own nodes get this will too.
    if (will.group !== this.options.group) return;
    // A connection of ours that dropped and reconnects by itself: taking it over would kick it.
    if (this.options.isOwnSession(sessionId))
      return log.info({ session: sessionId }, "ignoring the will of one of this node's sessions");
    if (this.drains.has(sessionId)) return;
    log.info({ session: sessionId, node: will.node }, 'taking over the session of a dead node');
    const drain = drainSession(this.options, sessionId);
    this.drains.set(sessionId, drain);
    void drain.ended
      .then(({ end, messages }) => this.report(sessionId, end, messages))
      .finally(() => this.drains.delete(sessionId));
    await drain.started;
  };

  private report(session: string, end: DrainEnd, messages: number): void {
    const log = this.options.logger.child({ session, messages });
    switch (end) {
      case 'drained':
        return log.info('drained and deleted the session of a dead node');
      case 'empty':
        return log.info('the session of the dead node was already gone');
      case 'handed-back':
        return log.info('the node of the session came back and took it over');
      case 'interrupted':
        // Taken over by its restarted node (no will), or lost (its will hands it on).
        return log.warn(
          'the connection closed while draining a session: its node is back, or its will hands it on',
        );
      case 'unreachable':
        return log.error('could not connect to take over a session: it waits for its node');
    }
  }

  /** Gives the drains in progress until `deadline` (epoch ms), then hands the rest on. */
  async close(deadline: number): Promise<void> {
    while (this.drains.size > 0 && Date.now() < deadline) await sleep(50);
    for (const drain of this.drains.values()) drain.abandon();
    await Promise.all([...this.drains.values()].map((d) => d.ended));
  }
}
