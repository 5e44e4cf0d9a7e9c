import { ChannelError, reasonOf, type Channel } from './channel.js';
import type { NotificationTarget } from './target.js';
import { wirePayload } from './wire-payload.js';

/** Publishes one message on the node's MQTT broker; resolves once the broker has it (QoS 1: PUBACK). */
export type MqttPublish = (topic: string, payload: string, qos: 0 | 1 | 2) => Promise<void>;

/** The default topics' prefix: `citybrain/v1/notifications/<organisation>/<event>`. */
export const NOTIFICATION_TOPIC_PREFIX = 'citybrain/v1/notifications';

/** What cannot stand in a topic level: the level separator and the wildcards. */
const NOT_IN_LEVEL = /[/+#]/g;

/**
 * The topic of a message to an MQTT target: its own, or the default with the target's
 * organisation (the operator's `*` becomes `_all`) and the event as the last two levels.
 */
export function notificationTopic(
  target: NotificationTarget & { kind: 'mqtt' },
  event: string,
  prefix = NOTIFICATION_TOPIC_PREFIX,
): string {
  if (target.topic) return target.topic;
  const org = target.organisation === '*' ? '_all' : target.organisation.replace(NOT_IN_LEVEL, '_');
  return `${prefix}/${org}/${event.replace(NOT_IN_LEVEL, '_')}`;
}

/**
 * Publishes deliveries as JSON at QoS 1 through an injected publish function, so that the
 * composition root decides which broker: the embedded one or the external one.
 */
export function mqttChannel(options: { publish: MqttPublish; topicPrefix?: string }): Channel {
  return {
    async send(delivery, signal) {
      const { target } = delivery;
      if (target.kind !== 'mqtt')
        throw new ChannelError(`a ${target.kind} target is not an MQTT target`, {
          retryable: false,
        });
      if (signal.aborted) throw signal.reason;
      const topic = notificationTopic(target, delivery.message.event, options.topicPrefix);
      try {
        await options.publish(topic, wirePayload(delivery), 1);
      } catch (err) {
        throw new ChannelError(`MQTT publish to ${topic} failed: ${reasonOf(err)}`, {
          retryable: true,
          cause: err,
        });
      }
    },
  };
}
