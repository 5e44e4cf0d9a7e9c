export { subscriptionRoutes, type SubscriptionRoutesOptions } from './subscription-routes.js';
export {
  SubscriptionService,
  SUBSCRIPTION_CHANGED,
  type SubscriptionServiceOptions,
} from './subscription-service.js';
export { DEFAULT_DELIVERY, type DeliveryOptions } from './delivery-queues.js';
export type { Notification } from './notification-job.js';
export type { StoredSubscription } from './subscription.js';
