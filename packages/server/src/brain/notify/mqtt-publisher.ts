import { connect } from 'mqtt';
import type { MqttPublish } from './mqtt-channel.js';

/** Where the node publishes notifications: an external broker and citybrain's account on it. */
export interface MqttPublisherOptions {
  url: string;
  username?: string;
  password?: string;
  /** Stable per node, different from the ingest sessions' ids. */
  clientId: string;
  /** Told of connection errors (publishes that fail are retried by their deliveries). */
  onError?: (err: Error) => void;
}

/** A connection that publishes notifications. */
export interface MqttPublisher {
  publish: MqttPublish;
  close(): Promise<void>;
}

/**
 * Connects to an MQTT broker for publishing notifications (the external broker; the embedded
 * one is published to in-process). It reconnects by itself; a publish made while disconnected
 * waits in mqtt.js until the connection is back or the delivery's timeout gives up on it.
 */
export function connectMqttPublisher(options: MqttPublisherOptions): MqttPublisher {
  const client = connect(options.url, {
    clientId: options.clientId,
    ...(options.username !== undefined && { username: options.username }),
    ...(options.password !== undefined && { password: options.password }),
    reconnectPeriod: 2_000,
    connectTimeout: 10_000,
  });
  // Without a listener, an error event would crash the node.
  client.on('error', (err) => options.onError?.(err));
  return {
    publish: async (topic, payload, qos) => {
      await client.publishAsync(topic, payload, { qos });
    },
    close: async () => {
      await client.endAsync(true);
    },
  };
}
