import { AckPolicy, DeliverPolicy, type ConsumerInfo, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { CityError } from '../../core/index.js';
import type { BusEvent, BusHandler, SubscribeOptions } from '../port.js';
import {
  PULL_EXPIRES_MS,
  reportSubscriptionFailure,
  undecodedEvent,
  type BusContext,
  type Running,
} from './bus-context.js';
import { keepDeadLetter } from './dead-letter.js';
import { decodeEvents } from './event-codec.js';
import { groupConsumerName, subjectFilter } from './subjects.js';

/**
 * One member of a group: it joins, for every partition, the group's durable consumer of that
 * partition. Each consumer lets one event out at a time (`max_ack_pending: 1`) to whichever
 * member asks first, and the next only once that one is acknowledged, so one key's events are
 * handled one at a time and in order across all members, while partitions spread over them.
 * The consumers outlive their members: a group that comes back resumes where it stopped.
 */
export async function startGroupMember(
  ctx: BusContext,
  options: SubscribeOptions,
  handler: BusHandler,
): Promise<Running> {
  const group = options.group ?? '';
  const partitions = Array.from({ length: ctx.layout.partitions }, (_, p) => p);
  const infos = await Promise.all(
    partitions.map((p) =>
      // Creating an existing durable with the same settings is a no-op, and with other
      // settings (another node's ack wait) an update: safe when members join together.
      ctx.jsm.consumers.add(ctx.stream, {
        durable_name: groupConsumerName(group, options.topic, p),
        description: `citybrain group "${group}" on "${options.topic}", partition ${p}`,
        filter_subject: subjectFilter(ctx.layout, options.topic, p),
        // A group that is new starts with what comes next, not with the retained past.
        deliver_policy: DeliverPolicy.New,
        ack_policy: AckPolicy.Explicit,
        max_ack_pending: 1,
        ack_wait: nanos(ctx.ackWait),
        // Unlimited here: the member counts deliveries itself and dead-letters, because a
        // server-side limit would drop the event silently.
        max_deliver: -1,
      }),
    ),
  );
  const started = await Promise.allSettled(
    infos.map((info) => consumePartition(ctx, info, options, handler)),
  );
  const loops = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => void (await Promise.all(loops.map((l) => l.stop())));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // A member on some partitions only would leave the others to the rest of the group.
    await stop();
    throw failed.reason;
  }
  return { stop };
}

/** Where a member stopped in a message it gave back: its redelivery skips what was handled. */
interface Progress {
  seq: number;
  next: number;
}

async function consumePartition(
  ctx: BusContext,
  info: ConsumerInfo,
  options: SubscribeOptions,
  handler: BusHandler,
): Promise<Running> {
  const consumer = ctx.js.consumers.getConsumerFromInfo(info);
  // One at a time is all the consumer lets out; asking for one keeps the rest for others.
  const messages = await consumer.consume({ max_messages: 1, expires: PULL_EXPIRES_MS });
  let stopping = false;
  const progress: { current?: Progress } = {};
  const done = (async () => {
    try {
      for await (const m of messages) {
        // Handed to us while leaving: give it back at once rather than after the ack wait.
        if (stopping) safely(() => m.nak());
        else await handleMessage(ctx, options, handler, m, progress);
      }
    } catch (err) {
      if (!stopping) reportSubscriptionFailure(ctx, err, options);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await messages.close();
      await done;
    },
  };
}

/**
 * Hands a message's events (those one publish stored for one partition) to the handler in
 * order, and acknowledges the message once all are handled. A failure gives the message back
 * for a later retry, which resumes at the failed event on this member (on another member,
 * after a crash, the whole message comes again: at least once). Retries are counted per
 * message: past `maxDeliveries` the failing event becomes a dead letter and the rest go on.
 */
async function handleMessage(
  ctx: BusContext,
  options: SubscribeOptions,
  handler: BusHandler,
  m: JsMsg,
  progress: { current?: Progress },
): Promise<void> {
  const deliveries = m.info.deliveryCount;
  let events: BusEvent[];
  try {
    events = decodeEvents(m.data);
  } catch (err) {
    return giveUp(ctx, options, m, err, []);
  }
  let next = progress.current?.seq === m.seq ? progress.current.next : 0;
  delete progress.current;
  if (deliveries > ctx.maxDeliveries)
    return giveUp(ctx, options, m, unacknowledged(events[0]!, deliveries), events.slice(next));
  const giveBack = (delay: number) => {
    progress.current = { seq: m.seq, next };
    safely(() => m.nak(delay));
  };
  // Tell the server we are still at it, so a slow handler is not redelivered to another member
  // in parallel; a crashed node stops telling and its message is redelivered after the ack wait.
  const keepAlive = setInterval(() => safely(() => m.working()), Math.max(50, ctx.ackWait / 3));
  try {
    for (; next < events.length; next++) {
      const event = events[next]!;
      try {
        await handler(event);
      } catch (err) {
        if (deliveries < ctx.maxDeliveries) {
          const backoff = ctx.retryBackoff;
          const delay = backoff[Math.min(deliveries, backoff.length) - 1] ?? 0;
          ctx.logger?.warn(
            { err, topic: event.topic, group: options.group, deliveries, delay },
            'retry',
          );
          return giveBack(delay);
        }
        if (!(await keepDeadLetters(ctx, options, m, err, [event])))
          return giveBack(ctx.retryBackoff.at(-1) ?? 0);
        ctx.onError(err, event, options);
      }
    }
  } finally {
    clearInterval(keepAlive);
  }
  // Waiting for the server's confirmation means that, once close() returns, what was handled
  // is known to be acknowledged; a lost ack only means one more delivery.
  await m
    .ackAck({ timeout: Math.min(ctx.ackWait, 5000) })
    .catch((err: unknown) => ctx.logger?.warn({ err, subject: m.subject }, 'ack not confirmed'));
}

/**
 * Keeps a dead letter for each event (or the raw message when it could not be read). When
 * one cannot be stored, reports it and answers false: the message stays in the group then.
 */
async function keepDeadLetters(
  ctx: BusContext,
  options: SubscribeOptions,
  m: JsMsg,
  err: unknown,
  events: readonly BusEvent[],
): Promise<boolean> {
  const letter = {
    group: options.group ?? '',
    pattern: options.topic,
    reason: err instanceof Error ? err.message : String(err),
    deliveries: m.info.deliveryCount,
    subject: m.subject,
    sequence: m.seq,
    failedAt: Date.now(),
  };
  const letters =
    events.length > 0
      ? events.map((event) => ({ ...letter, event }))
      : [{ ...letter, raw: m.string() }];
  try {
    await Promise.all(letters.map((l) => keepDeadLetter(ctx.js, ctx.layout.prefix, l)));
    return true;
  } catch (storeErr) {
    ctx.onError(
      new CityError('ServiceUnavailable', 'a dead letter could not be kept; retrying the event', {
        cause: storeErr,
      }),
      events[0] ?? undecodedEvent(ctx, m),
      options,
    );
    return false;
  }
}

/** Keeps the events as dead letters, then terminates the message and reports them. */
async function giveUp(
  ctx: BusContext,
  options: SubscribeOptions,
  m: JsMsg,
  err: unknown,
  events: readonly BusEvent[],
): Promise<void> {
  if (!(await keepDeadLetters(ctx, options, m, err, events))) {
    safely(() => m.nak(ctx.retryBackoff.at(-1) ?? 0));
    return;
  }
  safely(() => m.term());
  if (events.length === 0) ctx.onError(err, undecodedEvent(ctx, m), options);
  for (const event of events) ctx.onError(err, event, options);
}

const unacknowledged = (event: BusEvent, deliveries: number) =>
  new CityError(
    'InternalError',
    `a message of ${event.topic} events was delivered ${deliveries} times without an ` +
      'acknowledgement: a handler crashed its node or never finished each time',
  );

// Acks are fire-and-forget publishes that throw once the connection is closed; the server then
// redelivers, which is the outcome we want anyway.
function safely(send: () => void): void {
  try {
    send();
  } catch {
    // see above
  }
}
