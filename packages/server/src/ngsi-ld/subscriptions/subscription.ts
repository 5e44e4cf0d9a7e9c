import type { SubscriptionOwner } from '../access.js';
import type { CompiledFilters } from './query-filters.js';

/** What kind of change makes a subscription notify (clause 5.2.12 `notificationTrigger`). */
export type NotificationTrigger =
  | 'entityCreated'
  | 'entityUpdated'
  | 'entityDeleted'
  | 'attributeCreated'
  | 'attributeUpdated'
  | 'attributeDeleted';

/** Every trigger name, for validation. */
export const NOTIFICATION_TRIGGERS: readonly NotificationTrigger[] = [
  'entityCreated',
  'entityUpdated',
  'entityDeleted',
  'attributeCreated',
  'attributeUpdated',
  'attributeDeleted',
];

/** The triggers of a subscription that names none (clause 5.2.12). */
export const DEFAULT_TRIGGERS: readonly NotificationTrigger[] = [
  'attributeCreated',
  'attributeUpdated',
];

/** The entity representations a notification may use (clause 4.5). */
export type NotificationFormat = 'normalized' | 'keyValues' | 'concise';

/** Selects entities by id, id pattern and type (clause 5.2.33 EntitySelector); names canonical. */
export interface EntitySelector {
  id?: string;
  idPattern?: string;
  /** The type (expression) as canonical names, e.g. `Room` or `A,B` (or) / `A;B` (and). */
  type: string;
}

/** A key/value pair of `receiverInfo` / `notifierInfo` (clause 5.2.22). */
export interface KeyValuePair {
  key: string;
  value: string;
}

/** Where and how notifications go (clause 5.2.15 Endpoint). */
export interface Endpoint {
  uri: string;
  accept?: 'application/json' | 'application/ld+json';
  /** Milliseconds before a delivery attempt is abandoned (citybrain's default when absent). */
  timeout?: number;
  /** Milliseconds after a failure during which no notification is sent to the endpoint. */
  cooldown?: number;
  receiverInfo?: KeyValuePair[];
  notifierInfo?: KeyValuePair[];
}

/** Delivery state of a subscription's notifications; read-only for clients. */
export interface NotificationStatus {
  status?: 'ok' | 'failed';
  timesSent?: number;
  timesFailed?: number;
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
}

/** NotificationParams (clause 5.2.14); attribute names canonical. */
export interface NotificationParams extends NotificationStatus {
  attributes?: string[];
  format: NotificationFormat;
  showChanges?: boolean;
  sysAttrs?: boolean;
  endpoint: Endpoint;
}

/** The GeoQuery member of a subscription as the client wrote it (clause 5.2.13). */
export interface GeoQuerySpec {
  geometry: string;
  coordinates: unknown;
  georel: string;
  geoproperty?: string;
}

/**
 * A subscription as citybrain stores it: names canonical, `q`/`scopeQ`/`geoQ` as written by
 * the client (re-parsed when loaded), and the client's @context so that notifications are
 * compacted with it.
 */
export interface StoredSubscription {
  id: string;
  type: 'Subscription';
  subscriptionName?: string;
  description?: string;
  entities?: EntitySelector[];
  watchedAttributes?: string[];
  notificationTrigger?: NotificationTrigger[];
  timeInterval?: number;
  q?: string;
  geoQ?: GeoQuerySpec;
  scopeQ?: string;
  isActive: boolean;
  expiresAt?: string;
  throttling?: number;
  notification: NotificationParams;
  createdAt: string;
  modifiedAt: string;
  /** The client's @context as given back in responses (URL, list or object). */
  jsonldContext: string | unknown[] | Record<string, unknown>;
  /** The `Link` header that names the client's @context. */
  linkHeader: string;
  /** q, geoQ and scopeQ parsed with canonical names (internal: never shown to clients). */
  filters: CompiledFilters;
  /**
   * Who created it, for what purpose (internal): its notifications show what this owner may
   * read now, so a revoked or expired grant stops them. Absent: the operator's.
   */
  owner?: SubscriptionOwner;
}

/** The read-only `status` of a subscription (clause 5.2.12). */
export type SubscriptionState = 'active' | 'paused' | 'expired';

/** The state of a subscription at `now` (epoch ms). */
export function subscriptionState(sub: StoredSubscription, now: number): SubscriptionState {
  if (sub.expiresAt !== undefined && Date.parse(sub.expiresAt) <= now) return 'expired';
  return sub.isActive ? 'active' : 'paused';
}

/** The triggers in force, with `entityUpdated` expanded to the three attribute triggers. */
export function effectiveTriggers(sub: StoredSubscription): Set<NotificationTrigger> {
  const out = new Set<NotificationTrigger>(sub.notificationTrigger ?? DEFAULT_TRIGGERS);
  if (out.has('entityUpdated'))
    for (const t of ['attributeCreated', 'attributeUpdated', 'attributeDeleted'] as const)
      out.add(t);
  return out;
}
