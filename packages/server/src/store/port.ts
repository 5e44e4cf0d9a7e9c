import type { Attribute, Entity, Observation, QExpression, SeriesPoint } from '../core/index.js';

/** A query over entities; all filters are ANDed. */
export interface EntityQuery {
  types?: string[];
  ids?: string[];
  q?: QExpression;
  limit: number;
  offset: number;
  /** Also return the total number of matches. */
  count?: boolean;
}

/** A page of entities, with the total when asked for. */
export interface EntityPage {
  entities: Entity[];
  count?: number;
}

/** Entities in NGSI-LD normalized form. */
export interface EntityStore {
  /** Creates an entity; throws AlreadyExists when the id is taken. */
  create(entity: Entity): Promise<void>;
  get(id: string): Promise<Entity | undefined>;
  /** Merges attributes into an entity (each named attribute replaced whole); throws ResourceNotFound. */
  mergeAttributes(id: string, attrs: Record<string, Attribute>): Promise<Entity>;
  /** Deletes an entity; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  query(query: EntityQuery): Promise<EntityPage>;
  /** The distinct entity types present. */
  types(): Promise<string[]>;
}

/** A query over one entity's time series. */
export interface SeriesQuery {
  entityId: string;
  attrs?: string[];
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** Only the last N points per attribute. */
  lastN?: number;
}

/** Attribute time series of entities. */
export interface SeriesStore {
  /** Points ordered by attribute then time. */
  read(query: SeriesQuery): Promise<SeriesPoint[]>;
  /** How many points are stored for an entity (all attributes). */
  countFor(entityId: string): Promise<number>;
}

/** Why a message was not accepted. */
export type DeadLetterReason =
  | 'malformed-payload'
  | 'invalid-observation'
  | 'unknown-device'
  | 'bad-credentials'
  | 'topic-not-allowed';

/** A message citybrain refused, kept for an operator to inspect. */
export interface DeadLetter {
  id?: number;
  receivedAt: number;
  source: 'mqtt' | 'http';
  reason: DeadLetterReason;
  detail: string;
  deviceId?: string;
  topic?: string;
  /** The payload as received (UTF-8, truncated to 4 KiB). */
  payload?: string;
}

/** Dead letters: refused messages with their reason. */
export interface DeadLetterStore {
  add(letters: DeadLetter[]): Promise<void>;
  list(filter: { reason?: DeadLetterReason; limit: number; offset: number }): Promise<DeadLetter[]>;
  count(reason?: DeadLetterReason): Promise<number>;
}

/** A registered device and the entity it feeds. */
export interface Device {
  id: string;
  entityId: string;
  entityType: string;
  /** SHA-256 (hex) of the device's secret; secrets are high-entropy tokens, never stored. */
  secretHash: string;
  /** Unit codes (UN/CEFACT) of the attributes the device reports. */
  units: Record<string, string>;
  createdAt: number;
}

/** The device registry. */
export interface DeviceStore {
  /** Inserts or replaces a device. */
  put(device: Device): Promise<void>;
  get(id: string): Promise<Device | undefined>;
  list(filter: { limit: number; offset: number }): Promise<Device[]>;
  delete(id: string): Promise<boolean>;
}

/** Everything citybrain keeps. Adapters: sqlite (embedded default), postgres (scale-out). */
export interface Store {
  readonly entities: EntityStore;
  readonly series: SeriesStore;
  readonly deadLetters: DeadLetterStore;
  readonly devices: DeviceStore;
  /**
   * Applies observations atomically and durably: each updates its entity's attributes
   * (value, observedAt, unitCode) and appends to the entity's time series. When the
   * promise resolves, the batch survives a crash. Returns the entities after the batch.
   */
  ingest(batch: readonly Observation[]): Promise<Entity[]>;
  /** True when the store can serve requests. */
  ready(): Promise<boolean>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
