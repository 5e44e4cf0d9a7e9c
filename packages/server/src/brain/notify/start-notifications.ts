import type { Logger } from 'pino';
import type { Bus } from '../../bus/index.js';
import type { Store } from '../../store/index.js';
import type { Channels } from './channel.js';
import { emailChannel, type SmtpSettings } from './email-channel.js';
import { mqttChannel, type MqttPublish } from './mqtt-channel.js';
import { NotificationService } from './notification-service.js';
import type { RetryPolicy } from './retry-policy.js';
import type { WebhookNetworkSettings } from './webhook-address-policy.js';
import { webhookChannel } from './webhook-channel.js';

/** The `notify` section of the node's configuration. */
export interface NotifySettings extends RetryPolicy {
  deliveryLogSize: number;
  mqttTopicPrefix: string;
  smtp?: SmtpSettings;
  /** Internal addresses webhooks may reach; absent: public addresses only. */
  webhooks?: WebhookNetworkSettings;
}

/** What starting notifications needs besides the settings. */
export interface StartNotificationsOptions {
  store: Pick<Store, 'collection'>;
  bus: Bus;
  logger: Logger;
  settings: NotifySettings;
  /** Publishes on the node's MQTT broker; without it, MQTT targets cannot be created. */
  mqttPublish?: MqttPublish;
}

/**
 * Builds the channels the settings allow (webhooks always; e-mail with `smtp`; MQTT with a
 * publish function) and starts routing alerts, incidents and tasks to them.
 */
export async function startNotifications(
  options: StartNotificationsOptions,
): Promise<NotificationService> {
  const { settings } = options;
  const channels: Channels = {
    webhook: webhookChannel({ ...(settings.webhooks && { networks: settings.webhooks }) }),
    ...(settings.smtp && { email: emailChannel(settings.smtp) }),
    ...(options.mqttPublish && {
      mqtt: mqttChannel({ publish: options.mqttPublish, topicPrefix: settings.mqttTopicPrefix }),
    }),
  };
  const { maxAttempts, baseDelayMs, maxDelayMs, timeoutMs, queueLimit } = settings;
  const service = new NotificationService({
    store: options.store,
    bus: options.bus,
    logger: options.logger,
    channels,
    policy: { maxAttempts, baseDelayMs, maxDelayMs, timeoutMs, queueLimit },
    deliveryLogSize: settings.deliveryLogSize,
  });
  await service.start();
  return service;
}
