export {
  ChannelError,
  type Bilingual,
  type Channel,
  type Channels,
  type Delivery,
  type NotificationMessage,
} from './channel.js';
export type { NotifyCaller } from './access.js';
export type { DeliveryRecord, DeliveryStatus } from './delivery-log.js';
export type { NotificationDeadLetter } from './dead-letters.js';
export { emailChannel, type SmtpSettings } from './email-channel.js';
export {
  mqttChannel,
  notificationTopic,
  NOTIFICATION_TOPIC_PREFIX,
  type MqttPublish,
} from './mqtt-channel.js';
export {
  connectMqttPublisher,
  type MqttPublisher,
  type MqttPublisherOptions,
} from './mqtt-publisher.js';
export {
  NotificationService,
  type NotificationServiceOptions,
  type TestOutcome,
} from './notification-service.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export {
  startNotifications,
  type NotifySettings,
  type StartNotificationsOptions,
} from './start-notifications.js';
export {
  TargetInputSchema,
  TargetPatchSchema,
  viewOf,
  type NotificationTarget,
  type TargetInput,
  type TargetPatch,
  type TargetView,
} from './target.js';
export type { DeadLetterReason } from './target-queues.js';
export { webhookChannel, type WebhookChannelOptions } from './webhook-channel.js';
export {
  PUBLIC_NETWORKS_ONLY,
  WEB_PORTS,
  WebhookAddressPolicy,
  type WebhookNetworkSettings,
} from './webhook-address-policy.js';
export { systemResolve, type ResolveHost, type ResolvedAddress } from './webhook-guard.js';
export {
  parseSignatureHeader,
  signatureHeader,
  verifySignature,
  SIGNATURE_HEADER,
  type VerifyOptions,
} from './webhook-signature.js';
