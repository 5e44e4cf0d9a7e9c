import { randomUUID } from 'node:crypto';
import type { LdContext } from '../context/index.js';
import type { DeliveryJob } from './delivery-queues.js';
import { renderNotifiedEntity, type NotifiedEntity } from './render-notification.js';
import { postNotification, type MqttPublisher, type MqttSettings } from './senders.js';
import type { Endpoint, StoredSubscription } from './subscription.js';

/** A Notification (clause 5.3.1). */
export interface Notification {
  id: string;
  type: 'Notification';
  subscriptionId: string;
  notifiedAt: string;
  data: Record<string, unknown>[];
}

/** Builds the notification of a subscription for some entities, rendered with the subscriber's context. */
export function buildNotification(
  sub: StoredSubscription,
  items: readonly NotifiedEntity[],
  ctx: LdContext,
  notifiedAt: string,
): Notification {
  const ldJson = sub.notification.endpoint.accept === 'application/ld+json';
  return {
    id: `urn:ngsi-ld:Notification:${randomUUID()}`,
    type: 'Notification',
    subscriptionId: sub.id,
    notifiedAt,
    data: items.map((item) => {
      const entity = renderNotifiedEntity(item, sub.notification, ctx, notifiedAt);
      return ldJson ? { ...entity, '@context': sub.jsonldContext } : entity;
    }),
  };
}

/** The headers (HTTP) or metadata (MQTT) of a notification: media type, context, tenant, receiverInfo. */
function notificationHeaders(
  sub: StoredSubscription,
  tenant: string | undefined,
): Record<string, string> {
  const accept = sub.notification.endpoint.accept ?? 'application/json';
  const headers: Record<string, string> = { 'Content-Type': accept };
  if (accept === 'application/json') headers.Link = sub.linkHeader;
  if (tenant !== undefined) headers['NGSILD-Tenant'] = tenant;
  for (const { key, value } of sub.notification.endpoint.receiverInfo ?? []) headers[key] = value;
  return headers;
}

function mqttSettings(endpoint: Endpoint): MqttSettings {
  const info = (key: string): string | undefined =>
    endpoint.notifierInfo?.find((p) => p.key === key)?.value;
  const qos = Number(info('MQTT-QoS') ?? 0);
  return {
    qos: qos === 1 || qos === 2 ? qos : 0,
    protocolVersion: info('MQTT-Version') === 'mqtt5.0' ? 5 : 4,
  };
}

/** What a delivery job needs besides the notification. */
export interface JobOptions {
  tenant: string | undefined;
  mqtt: MqttPublisher;
  done: DeliveryJob['done'];
  failed?: DeliveryJob['failed'];
}

/**
 * The delivery job of one notification: an HTTP POST, or an MQTT publication whose payload is
 * `{ metadata, body }` as the MQTT notification binding prescribes.
 */
export function notificationJob(
  sub: StoredSubscription,
  notification: Notification,
  { tenant, mqtt, done, failed }: JobOptions,
): DeliveryJob {
  const { endpoint } = sub.notification;
  const headers = notificationHeaders(sub, tenant);
  const isMqtt = endpoint.uri.startsWith('mqtt');
  const payload = JSON.stringify(isMqtt ? { metadata: headers, body: notification } : notification);
  const job: DeliveryJob = {
    key: endpoint.uri,
    send: (signal) =>
      isMqtt
        ? mqtt.publish(endpoint.uri, payload, mqttSettings(endpoint), signal)
        : postNotification(endpoint.uri, payload, headers, signal),
    done,
  };
  if (failed) job.failed = failed;
  if (endpoint.timeout !== undefined) job.timeoutMs = endpoint.timeout;
  return job;
}
