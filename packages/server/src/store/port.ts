import type {
  Attribute,
  AttributeValue,
  CityError,
  Entity,
  GeoQuery,
  Observation,
  QExpression,
  ScopeQuery,
  SeriesPoint,
  TypeExpression,
} from '../core/index.js';

/** A query over entities; all filters are ANDed. Names are canonical (see core Entity). */
export interface EntityQuery {
  types?: TypeExpression;
  ids?: string[];
  /** A regular expression (ECMAScript syntax) the entity id must match. */
  idPattern?: string;
  q?: QExpression;
  scopeQ?: ScopeQuery;
  geo?: GeoQuery;
  /** The entity must have at least one of these attributes (clause 4.17 `attrs` filter). */
  attrs?: string[];
  limit: number;
  offset: number;
  /** Also return the total number of matches. */
  count?: boolean;
  /**
   * Visibility (data-sharing policy): when present, an entity matches only if at least one
   * rule admits it — the entity has the rule's type and, when the rule has one, matches its q.
   * An empty list admits nothing.
   */
  within?: VisibilityRule[];
}

/** One rule of a visibility restriction: entities of `type`, only those matching `q` if given. */
export interface VisibilityRule {
  type: string;
  q?: QExpression;
}

/** A page of entities, with the total when asked for. */
export interface EntityPage {
  entities: Entity[];
  count?: number;
}

/**
 * Computes the next state of one entity from its current state (undefined when absent),
 * synchronously, inside the store's transaction: return the entity to store (created when
 * absent), `null` to delete it, or `undefined` to leave it unchanged; throw a CityError to
 * fail this write alone. `current` is shared with the store's cache: return a new object,
 * never modify it. The store keeps `createdAt` from the first version and sets `modifiedAt`
 * to the commit time unless the returned entity carries a new one.
 */
export type EntityMutation = (current: Entity | undefined) => Entity | null | undefined;

/** One write of a batch. */
export interface EntityWrite {
  id: string;
  mutate: EntityMutation;
}

/** What one write did: the states before and after, or why it failed (nothing written). */
export interface EntityWriteResult {
  id: string;
  before?: Entity;
  after?: Entity;
  /** True when the mutation asked for a change (create, update or delete). */
  changed: boolean;
  error?: CityError;
}

/** One entity type as discovery (clause 5.7.5) reports it. */
export interface TypeInfo {
  type: string;
  /** Canonical attribute names seen on entities of this type. */
  attributeNames: string[];
  entityCount: number;
}

/** One attribute as discovery (clause 5.7.7) reports it. */
export interface AttributeInfo {
  name: string;
  /** The NGSI-LD attribute types it has (Property, Relationship …). */
  attributeTypes: string[];
  /** Entity types that have it. */
  typeNames: string[];
  attributeCount: number;
}

/** Entities in NGSI-LD normalized form. */
export interface EntityStore {
  /** The entity, or undefined; the object may be shared with a cache: never modify it. */
  get(id: string): Promise<Entity | undefined>;
  /**
   * Applies writes durably: each write's mutation runs in order inside one transaction (writes
   * from concurrent callers may be group-committed together); a failed mutation writes nothing
   * for that write only. When the promise resolves, every successful write survives a crash.
   */
  write(writes: readonly EntityWrite[]): Promise<EntityWriteResult[]>;
  query(query: EntityQuery): Promise<EntityPage>;
  /** Every type with its attributes and entity count, ordered by type. */
  typeInfo(): Promise<TypeInfo[]>;
  /** Every attribute with its types, ordered by name. */
  attributeInfo(): Promise<AttributeInfo[]>;

  /** Creates an entity; throws AlreadyExists when the id is taken. (Convenience over write.) */
  create(entity: Entity): Promise<void>;
  /** Merges attributes into an entity (each named attribute replaced whole); throws ResourceNotFound. */
  mergeAttributes(id: string, attrs: Record<string, AttributeValue>): Promise<Entity>;
  /** Deletes an entity; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** The distinct entity types present. */
  types(): Promise<string[]>;
}

/** A query over one entity's time series (ingest's numeric view; see TemporalStore for the API). */
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

/** One stored attribute instance of the temporal history (clause 4.5.7). */
export interface AttributeInstance {
  entityId: string;
  /** Canonical attribute name. */
  attr: string;
  datasetId?: string;
  /** A URI unique within the entity, e.g. urn:ngsi-ld:instance:…; stable across reads. */
  instanceId: string;
  /** The instance in normalized form (type, value/object/…, observedAt, sub-attributes). */
  attribute: Attribute;
  /** When the instance was stored, epoch ms. */
  createdAt: number;
  modifiedAt: number;
}

/** The time property a temporal query filters on (clause 4.11 `timeproperty`). */
export type TimeProperty = 'observedAt' | 'createdAt' | 'modifiedAt';

/** A query over the history of one or more entities. */
export interface TemporalQuery {
  entityIds: string[];
  /** Canonical attribute names; all when absent. */
  attrs?: string[];
  timeproperty: TimeProperty;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** The last N instances per attribute (and datasetId) within the bounds. */
  lastN?: number;
}

/** Aggregation functions of clause 4.5.19. */
export type AggregationMethod =
  'totalCount' | 'distinctCount' | 'sum' | 'avg' | 'min' | 'max' | 'stddev' | 'sumsq';

/** One aggregated value over one period. */
export interface AggregatedValue {
  method: AggregationMethod;
  value: number | string | null;
  /** Period start and end, epoch ms. */
  start: number;
  end: number;
}

/** The history of attribute instances. */
export interface TemporalStore {
  /** Appends (or, with the same instanceId, replaces) instances durably. */
  append(instances: readonly AttributeInstance[]): Promise<void>;
  /** Instances ordered by entity, attribute, datasetId, then time. */
  query(query: TemporalQuery): Promise<AttributeInstance[]>;
  /**
   * Aggregates per entity, attribute and datasetId over periods of `periodMs` (the whole
   * range when absent), computed by the database, never row by row in Node.
   */
  aggregate(
    query: TemporalQuery,
    methods: readonly AggregationMethod[],
    periodMs?: number,
  ): Promise<{ entityId: string; attr: string; datasetId?: string; values: AggregatedValue[] }[]>;
  /** Deletes the history of an entity; the number of instances removed. */
  deleteEntity(entityId: string): Promise<number>;
  /** Deletes an attribute's history (one datasetId, or all when `allDatasets`). */
  deleteAttribute(
    entityId: string,
    attr: string,
    datasetId: string | undefined,
    allDatasets: boolean,
  ): Promise<number>;
  /** Replaces one instance's content; false when it does not exist. */
  updateInstance(
    entityId: string,
    attr: string,
    instanceId: string,
    attribute: Attribute,
  ): Promise<boolean>;
  deleteInstance(entityId: string, attr: string, instanceId: string): Promise<boolean>;
}

/** A named set of JSON documents (subscriptions, @contexts …) kept by the store. */
export interface DocumentCollection<T> {
  put(id: string, doc: T): Promise<void>;
  get(id: string): Promise<T | undefined>;
  list(): Promise<{ id: string; doc: T }[]>;
  delete(id: string): Promise<boolean>;
  /**
   * Compare-and-set: writes `doc` only if the stored document is still `expected` (as `get`
   * answered it; undefined: only if there is none). True when written. Nodes sharing a store
   * use it to claim something once, e.g. a subscription's next throttling period.
   */
  replaceIf(id: string, doc: T, expected: T | undefined): Promise<boolean>;
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
  /** `scrypt$N$r$p$salt$key` of the device's secret (older versions: hex SHA-256); never the secret. */
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

/** One access decision, as the sharing policy check reports it. */
export interface AuditEntry {
  /** When it was decided, epoch ms. */
  at: number;
  /** Who asked: a user, an API key or a device (its id, never a secret). */
  actor: string;
  /** The actor's organisation. */
  organisation?: string;
  /** The purpose the request stated. */
  purpose?: string;
  /** The grants that allowed it (none for the operator, the owner or public data). */
  grants?: string[];
  /** Why it was decided so: `operator`, `owner`, `public`, `grant`, or the reason of a denial. */
  reason?: string;
  /** The NGSI-LD tenant, when not the default one. */
  tenant?: string;
  /** What was done, e.g. `entity.read`, `entity.query`, `temporal.read`, `notify`, `export`. */
  action: string;
  /** What it was done to: a dataset, an entity id, a subscription. */
  resource: string;
  /** The organisation that owns the resource (so that owners see who read their data). */
  owner?: string;
  result: 'allow' | 'deny';
  /** Records returned (0 when denied). */
  records: number;
}

/** An entry in the hash chain: its place, the previous record's hash and its own. */
export interface AuditRecord {
  /** 1, 2, 3 …: the chain's order. */
  seq: number;
  entry: AuditEntry;
  /** Hex SHA-256 of the previous record (64 zeros for the first). */
  prevHash: string;
  /** Hex SHA-256 of this record, over prevHash, seq and the entry (see sharing/audit). */
  hash: string;
}

/** A signature over the chain's head at some point: the chain up to `seq` must hash to `hash`. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  /** When it was signed, epoch ms. */
  at: number;
  /** Which key signed it (a fingerprint of its public key). */
  keyId: string;
  /** Base64 Ed25519 signature. */
  signature: string;
}

/** A page of an access log, newest first. */
export interface AuditLogQuery {
  /** Records of this owner's resources; all records when undefined. */
  owner?: string;
  /** Only records of other organisations than the owner (not the owner reading its own). */
  othersOnly?: boolean;
  /** Records before this seq (exclusive); from the end when undefined. */
  beforeSeq?: number;
  limit: number;
}

/** The audit chain, appended at its end only. */
export interface AuditStore {
  /**
   * Appends entries at the end of the chain in one durable transaction, the chain's head read
   * and extended under a lock so that nodes sharing the store make one chain. `link` computes
   * a record's hash from the previous hash, its seq and its entry. Answers the new records.
   */
  append(
    entries: readonly AuditEntry[],
    link: (prevHash: string, seq: number, entry: AuditEntry) => string,
  ): Promise<AuditRecord[]>;
  /** Up to `limit` records with seq >= `fromSeq`, in seq order, as stored (for verification). */
  read(fromSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The last record's seq and hash; undefined while the chain is empty. */
  head(): Promise<{ seq: number; hash: string } | undefined>;
  /** The newest records first (an owner's access log; see AuditLogQuery). */
  recent(query: AuditLogQuery): Promise<AuditRecord[]>;
  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** Every checkpoint, by seq. */
  checkpoints(): Promise<AuditCheckpoint[]>;
}

/** An observation ingest refused: it changed neither its entity nor the history. */
export interface RefusedObservation {
  observation: Observation;
  /** Why, naming the attribute (for the dead letter). */
  reason: string;
}

/** What one ingest batch did. */
export interface IngestOutcome {
  /** The entities the batch changed, as they are after it. */
  changed: Entity[];
  /** The observations the entities' current state refused (see observationRefusal). */
  refused: RefusedObservation[];
}

/** Everything citybrain keeps. Adapters: sqlite (embedded default), postgres (scale-out). */
export interface Store {
  readonly entities: EntityStore;
  readonly series: SeriesStore;
  readonly deadLetters: DeadLetterStore;
  readonly devices: DeviceStore;
  readonly temporal: TemporalStore;
  readonly audit: AuditStore;
  /** A named collection of JSON documents, created on first use. */
  collection<T>(name: string): DocumentCollection<T>;
  /**
   * Applies observations atomically and durably: each updates its entity's attributes
   * (value, observedAt, unitCode; a GeoJSON geometry makes a GeoProperty) and appends to the
   * entity's time series. An observation its entity cannot take (a non-geometry for a
   * GeoProperty) is refused whole and reported, the rest of the batch applied. When the
   * promise resolves, the batch survives a crash.
   */
  ingest(batch: readonly Observation[]): Promise<IngestOutcome>;
  /** True when the store can serve requests. */
  ready(): Promise<boolean>;
  /** Flushes and closes. */
  close(): Promise<void>;
}

/**
 * The stores of all NGSI-LD tenants (clause 4.14). The default tenant (no NGSILD-Tenant
 * header) is the node's main store; every other tenant is isolated in a store of its own,
 * created on its first write.
 */
export interface TenantStores {
  readonly default: Store;
  /** The tenant's store; undefined when it does not exist and `create` is false. */
  get(tenant: string | undefined, create: boolean): Promise<Store | undefined>;
  /** Names of the tenants that exist (not the default). */
  list(): Promise<string[]>;
  close(): Promise<void>;
}
