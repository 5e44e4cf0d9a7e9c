import type { Entity } from '../core/index.js';

/** What moves on the bus: something that happened, once. */
export interface BusEvent<T = unknown> {
  /** Dotted topic, e.g. `entity.changed`, `alert.raised`. */
  topic: string;
  /**
   * Ordering key: events with the same key are delivered in order (usually an entity id).
   * Across keys, a subscriber gets a publish's events after those of earlier publishes, in
   * any order among themselves.
   */
  key: string;
  /** When it happened, epoch ms. */
  time: number;
  payload: T;
  /**
   * Publish-once id: events with the same id published within `DEDUP_WINDOW_MS` (by any node)
   * are delivered once. For work every node would announce, e.g. a periodic tick.
   */
  onceId?: string;
}

/** How long a bus remembers an event's `onceId` (JetStream's default duplicate window). */
export const DEDUP_WINDOW_MS = 120_000;

/** Handles one event; a rejected promise is logged and the event is not redelivered in memory. */
export type BusHandler = (event: BusEvent) => void | Promise<void>;

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Topic or prefix pattern: `alert.raised`, `alert.*` or `*`. */
  topic: string;
  /** Members of one group share the events (each handled by one member); no group: every event. */
  group?: string;
}

/** A live subscription. */
export interface BusSubscription {
  unsubscribe(): Promise<void>;
}

/** The ordered event log. Adapters: memory (embedded default), nats (JetStream). */
export interface Bus {
  publish(events: readonly BusEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions, handler: BusHandler): Promise<BusSubscription>;
  /**
   * Stops every subscription once its handlers in flight finish; on a durable bus a group
   * member first handles the rest of the events it holds (one publish's, for one partition),
   * so that no other member handles them again.
   */
  close(): Promise<void>;
}

/** Topics citybrain publishes. */
export const Topics = {
  /** payload: Observation (accepted and durable) */
  observation: 'observation.accepted',
  /** payload: EntityChange */
  entityChanged: 'entity.changed',
  /** payload: Entity (an Alert entity in normalized form) */
  alertRaised: 'alert.raised',
  /** payload: Entity (an Alert entity in normalized form) */
  alertUpdated: 'alert.updated',
} as const;

/** An entity was created, updated by ingest or the API, or deleted. */
export interface EntityChange {
  id: string;
  type: string | string[];
  kind: 'created' | 'updated' | 'deleted';
  /** The entity after the change (absent for deletions). */
  entity?: Entity;
  /** The entity before the change (absent for creations; may be absent from ingest). */
  previous?: Entity;
  /** NGSI-LD tenant (absent for the default tenant). */
  tenant?: string;
  /** `ingest` when device observations made it (each also published as an observation). */
  source?: 'ingest';
}
