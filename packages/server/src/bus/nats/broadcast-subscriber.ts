import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { BusHandler, SubscribeOptions } from '../port.js';
import {
  PULL_EXPIRES_MS,
  reportSubscriptionFailure,
  undecodedEvent,
  type BusContext,
  type Running,
} from './bus-context.js';
import { decodeEvents } from './event-codec.js';
import { subjectFilter } from './subjects.js';

/** One ordered consumer and the loop handing its messages over. */
interface Reader {
  consumer: Consumer;
  messages: ConsumerMessages;
  done: Promise<void>;
}

/** How long to wait before trying again to reopen a reader after a reconnect, ms. */
const REOPEN_RETRY_MS = 1000;

/**
 * A subscriber without a group: every event published after it subscribed, in stream order
 * (so in order per key), through an ordered consumer. Nothing is kept for it on the server
 * beyond that ephemeral consumer.
 *
 * The subscriber remembers the stream sequence of the next event it has to handle, and after
 * every reconnect it replaces its consumer by one starting there. The library's ordered
 * consumer only notices events lost on a dropped connection when a later event arrives with
 * a gap, so after a blip that swallowed the last events it would stand still until the next
 * publish (a test caught it waiting more than 15 s).
 */
export async function startBroadcast(
  ctx: BusContext,
  options: SubscribeOptions,
  handler: BusHandler,
): Promise<Running> {
  // Start right after the last stored event, fixed now: an event published once subscribe()
  // resolved has a higher sequence, even if the consumer is only created later on a reset.
  const { state } = await ctx.jsm.streams.info(ctx.stream);
  let next = state.last_seq + 1;
  let stopping = false;
  let current: Reader | undefined;

  const handle = async (m: JsMsg) => {
    let events;
    try {
      events = decodeEvents(m.data);
    } catch (err) {
      ctx.onError(err, undecodedEvent(ctx, m), options);
      return;
    }
    for (const event of events) {
      // Closing: the rest of the message is not handled, as nothing after it is.
      if (stopping) return;
      try {
        await handler(event);
      } catch (err) {
        // Like the memory bus: a broadcast subscriber's failure is reported, not retried.
        ctx.onError(err, event, options);
      }
    }
  };

  const open = async (): Promise<Reader> => {
    const consumer = await ctx.js.consumers.get(ctx.stream, {
      filter_subjects: subjectFilter(ctx.layout, options.topic),
      opt_start_seq: next,
    });
    const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
    const reader: Reader = { consumer, messages, done: Promise.resolve() };
    reader.done = (async () => {
      try {
        for await (const m of messages) {
          if (stopping) break;
          // Already handled through the consumer this one replaced.
          if (m.seq < next) continue;
          await handle(m);
          next = m.seq + 1;
        }
      } catch (err) {
        if (!stopping && reader === current) reportSubscriptionFailure(ctx, err, options);
      }
    })();
    return reader;
  };

  const close = async (reader: Reader) => {
    await reader.messages.close();
    await reader.done;
    // Best effort: the server drops an idle ordered consumer by itself after five minutes.
    void reader.consumer.delete().catch(() => undefined);
  };

  current = await open();
  // Reopenings one after the other: reconnects can come faster than a reopening.
  let reopening = Promise.resolve();
  const reopen = async () => {
    if (current) await close(current);
    current = undefined;
    while (!stopping) {
      try {
        current = await open();
        return;
      } catch (err) {
        ctx.logger?.warn({ err, topic: options.topic }, 'NATS subscriber not reopened; retrying');
        await new Promise((r) => setTimeout(r, REOPEN_RETRY_MS));
      }
    }
  };
  const unwatch = ctx.onReconnect(() => {
    if (!stopping) reopening = reopening.then(reopen);
  });

  return {
    async stop() {
      stopping = true;
      unwatch();
      await reopening;
      if (current) await close(current);
    },
  };
}
