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

/**
 * A subscriber without a group: every event published after it subscribed, in stream order
 * (so in order per key), through an ordered consumer. Nothing is kept for it on the server
 * beyond the ephemeral consumer: the client library recreates that consumer from the last
 * sequence it saw after a reconnect, so a short outage loses nothing either.
 */
export async function startBroadcast(
  ctx: BusContext,
  options: SubscribeOptions,
  handler: BusHandler,
): Promise<Running> {
  // Start right after the last stored event, fixed now: an event published once subscribe()
  // resolved has a higher sequence, even if the consumer is only created later on a reset.
  const { state } = await ctx.jsm.streams.info(ctx.stream);
  const consumer = await ctx.js.consumers.get(ctx.stream, {
    filter_subjects: subjectFilter(ctx.layout, options.topic),
    opt_start_seq: state.last_seq + 1,
  });
  const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
  let stopping = false;
  const done = (async () => {
    try {
      for await (const m of messages) {
        if (stopping) break;
        let events;
        try {
          events = decodeEvents(m.data);
        } catch (err) {
          ctx.onError(err, undecodedEvent(ctx, m), options);
          continue;
        }
        for (const event of events) {
          // Closing: the rest of the message is not handled, as nothing after it is.
          if (stopping) break;
          try {
            await handler(event);
          } catch (err) {
            // Like the memory bus: a broadcast subscriber's failure is reported, not retried.
            ctx.onError(err, event, options);
          }
        }
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
      // Best effort: the server drops an idle ordered consumer by itself after five minutes.
      void consumer.delete().catch(() => undefined);
    },
  };
}
