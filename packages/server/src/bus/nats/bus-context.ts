import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { BusErrorReporter } from '../memory/index.js';
import type { BusEvent, SubscribeOptions } from '../port.js';
import { topicOfSubject, type SubjectLayout } from './subjects.js';

/** What the subscription loops of one NatsBus share. */
export interface BusContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  layout: SubjectLayout;
  /** How long the server waits for an ack before it redelivers, ms. */
  ackWait: number;
  /** Delay before the n-th redelivery of a rejected event (the last one repeats), ms. */
  retryBackoff: readonly number[];
  /** Deliveries of one event to a group before it becomes a dead letter. */
  maxDeliveries: number;
  onError: BusErrorReporter;
  logger: Logger | undefined;
  /** Calls `listener` after each reconnect of the connection; answers how to stop that. */
  onReconnect(listener: () => void): () => void;
}

/**
 * How long a consumer's pull request lasts, ms; its heartbeats come at half that. After a lost
 * connection the client checks its consumer again and re-pulls, retrying at this pace, and a
 * pull lost on the way is noticed by two missed heartbeats: at the library's 30 s default a
 * subscription could stand still for half a minute after a blip.
 */
export const PULL_EXPIRES_MS = 5000;

/** A subscription's consuming loops; `stop` lets the handler in flight finish first. */
export interface Running {
  stop(): Promise<void>;
}

/** The event to report with a message that is not one: its topic, its time, its text. */
export function undecodedEvent(ctx: BusContext, m: JsMsg): BusEvent {
  return {
    topic: topicOfSubject(ctx.layout, m.subject) ?? m.subject,
    key: '',
    time: m.time.getTime(),
    payload: m.string(),
  };
}

/** Reports a failure of a subscription itself (not of one event) through the error reporter. */
export function reportSubscriptionFailure(
  ctx: BusContext,
  err: unknown,
  options: SubscribeOptions,
): void {
  ctx.onError(
    err,
    { topic: options.topic, key: '', time: Date.now(), payload: undefined },
    options,
  );
}
