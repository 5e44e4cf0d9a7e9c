import {
  LEASE_DEFAULTS,
  PM25_HIGH_RULE,
  RULE_ENGINE_DEFAULTS,
  RuleSchema,
  WEB_PORTS,
} from '../brain/index.js';
import { Type, type Static } from 'typebox';

const obj = <T extends Parameters<typeof Type.Object>[0]>(props: T, description: string) =>
  Type.Object(props, { default: {}, additionalProperties: false, description });

const DeviceSchema = Type.Object(
  {
    id: Type.String(),
    entityType: Type.String(),
    secret: Type.String({ minLength: 16 }),
    name: Type.Optional(Type.String()),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    units: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

/** The whole configuration of a citybrain node; every key has a default. */
export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({
      default: './data',
      description: 'where the SQLite file and the admin token live',
    }),
    node: obj(
      {
        id: Type.Optional(
          Type.String({
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
            description:
              'this node among several (MQTT client id, bus consumer names); default: host name and HTTP port',
          }),
        ),
      },
      'this node',
    ),
    http: obj(
      {
        host: Type.String({ default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        trustProxy: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.:/]+$', maxLength: 64 }), {
          default: [],
          description:
            "addresses and CIDR ranges of the reverse proxies in front of the node (or loopback, linklocal, uniquelocal): a request from one of them is taken to come from the address its X-Forwarded-For names (and its X-Forwarded-Proto holds), e.g. for the failed-login limit per address. Empty: every client is its connection's address",
        }),
      },
      'HTTP API and cockpit',
    ),
    mqtt: obj(
      {
        host: Type.String({ default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
        url: Type.Optional(
          Type.String({
            pattern: '^mqtts?://',
            description:
              'an external MQTT broker (mqtt://host:port) the devices connect to instead of the embedded one',
          }),
        ),
        group: Type.String({
          pattern: '^[A-Za-z0-9_-]{1,64}$',
          default: 'citybrain',
          description: 'shared-subscription group of the nodes on the external broker',
        }),
        username: Type.Optional(
          Type.String({ description: "citybrain's account on the external broker" }),
        ),
        password: Type.Optional(Type.String()),
        connections: Type.Integer({
          minimum: 1,
          maximum: 256,
          default: 32,
          description:
            'sessions per node on the external broker, each with up to 256 messages in hand (each acknowledged after its commit)',
        }),
        dynsec: Type.Optional(
          Type.Object(
            { username: Type.String({ minLength: 1 }), password: Type.String() },
            {
              additionalProperties: false,
              description:
                "an admin account of Mosquitto's dynamic-security plugin: citybrain then keeps the broker's device logins and topic ACLs in step with its device registry",
            },
          ),
        ),
      },
      'MQTT: the embedded broker, or an external one',
    ),
    store: obj(
      {
        url: Type.Optional(
          Type.String({
            pattern: '^postgres(ql)?://',
            description:
              'PostgreSQL (+PostGIS) shared by scale-out nodes, e.g. postgres://user@host:5432/citybrain; absent: the embedded SQLite file in dataDir',
          }),
        ),
        schema: Type.String({
          pattern: '^[a-z_][a-z0-9_]{0,39}$',
          default: 'citybrain',
          description: 'PostgreSQL schema of the default tenant',
        }),
        poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
        historyRetentionDays: Type.Integer({
          minimum: 0,
          default: 0,
          description:
            'PostgreSQL: drop the weekly history partitions older than this many days, checked hourly (0 keeps all history)',
        }),
        synchronous: Type.Union([Type.Literal('full'), Type.Literal('normal')], {
          default: 'full',
        }),
        mmapMiB: Type.Integer({
          minimum: 0,
          default: 16384,
          description:
            'MiB of the database file read through a memory map (address space, not memory; 0 turns it off)',
        }),
      },
      'the store: embedded SQLite, or PostgreSQL with url',
    ),
    bus: obj(
      {
        url: Type.Optional(
          Type.String({
            pattern: '^nats://',
            description:
              'NATS JetStream shared by scale-out nodes (nats://host:4222, several comma-separated); absent: the in-process bus',
          }),
        ),
        stream: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', default: 'CITYBRAIN' }),
        subjectPrefix: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', default: 'citybrain' }),
      },
      'the event bus: in-process, or NATS JetStream with url',
    ),
    ngsiLd: obj(
      {
        contexts: Type.Record(
          Type.String({ pattern: '^https?://' }),
          Type.String({ minLength: 1 }),
          {
            default: {},
            description:
              'local copies of remote @context documents: URL → file path (JSON-LD); these URLs are never fetched',
          },
        ),
        fetchContexts: Type.Boolean({
          default: true,
          description: 'fetch (once, then cache) remote @contexts that are not held locally',
        }),
      },
      'NGSI-LD API',
    ),
    ingest: obj(
      {
        maxBatch: Type.Integer({ minimum: 1, maximum: 100_000, default: 8192 }),
        commits: Type.Integer({
          minimum: 1,
          maximum: 16,
          default: 1,
          description:
            'ingest commits in flight at once: more can help PostgreSQL when batches touch different entities (SQLite has one writer)',
        }),
        failedLogins: obj(
          {
            perDevice: Type.Integer({
              minimum: 1,
              default: 10,
              description:
                'failed logins of one device id within windowSeconds; then its logins are refused for blockSeconds, the right secret too',
            }),
            perAddress: Type.Integer({
              minimum: 0,
              default: 100,
              description:
                'failed logins from one client address (IPv6: its /64) within windowSeconds; then its logins are refused for blockSeconds (0: no limit). Behind an HTTP proxy, set http.trustProxy, or every HTTP client has the proxy’s address',
            }),
            windowSeconds: Type.Integer({ minimum: 1, default: 300 }),
            blockSeconds: Type.Integer({ minimum: 1, default: 300 }),
          },
          'failed device logins (embedded MQTT broker and HTTP ingest), each of which costs a scrypt; counted per node',
        ),
      },
      'ingest',
    ),
    auth: obj(
      {
        mode: Type.Union([Type.Literal('token'), Type.Literal('none')], { default: 'token' }),
        adminToken: Type.Optional(Type.String({ minLength: 16 })),
        publicReads: Type.Boolean({
          default: false,
          description:
            'let requests without a token read public datasets through the NGSI-LD API (open data); everything else still needs a token',
        }),
        oidc: Type.Optional(
          Type.Object(
            {
              issuer: Type.String({ minLength: 1, description: "the tokens' iss" }),
              audience: Type.String({ minLength: 1, description: 'the aud tokens must name' }),
              jwksUri: Type.Optional(
                Type.String({ description: "default: the issuer's discovery document" }),
              ),
              organisationClaim: Type.String({ default: 'org' }),
              rolesClaim: Type.String({ default: 'roles' }),
            },
            {
              additionalProperties: false,
              description: 'OpenID Connect access tokens (JWT) accepted besides API keys',
            },
          ),
        ),
      },
      'authentication',
    ),
    audit: obj(
      {
        keyFile: Type.Optional(
          Type.String({
            description:
              'Ed25519 private key (PKCS#8 PEM) that signs audit checkpoints; default <dataDir>/audit-ed25519.pem, created on first start',
          }),
        ),
        trustedKeys: Type.Array(Type.String(), {
          default: [],
          description:
            'public keys (SPKI PEM files) of other nodes whose checkpoints `citybrain audit verify` checks too',
        }),
        checkpointEvery: Type.Integer({ minimum: 1, default: 1000 }),
        checkpointIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
      },
      'the tamper-evident audit chain',
    ),
    notify: obj(
      {
        maxAttempts: Type.Integer({
          minimum: 1,
          maximum: 50,
          default: 8,
          description: 'attempts per notification delivery before it is dead-lettered',
        }),
        baseDelayMs: Type.Integer({
          minimum: 10,
          default: 1000,
          description: 'wait before the first retry, doubled at each further one (with jitter)',
        }),
        maxDelayMs: Type.Integer({
          minimum: 100,
          default: 300_000,
          description: 'longest wait between attempts, a receiver’s Retry-After included',
        }),
        timeoutMs: Type.Integer({
          minimum: 100,
          default: 10_000,
          description: 'one attempt at most',
        }),
        queueLimit: Type.Integer({
          minimum: 1,
          default: 1000,
          description: 'deliveries waiting per target; more are dead-lettered (queue-full)',
        }),
        deliveryLogSize: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
        mqttTopicPrefix: Type.String({
          pattern: '^[^#+$][^#+]*$',
          default: 'citybrain/v1/notifications',
          description: 'default MQTT topics: <prefix>/<organisation>/<event>',
        }),
        webhooks: obj(
          {
            allowPrivateNetworks: Type.Boolean({
              default: false,
              description:
                'let webhooks reach internal addresses: loopback, RFC 1918, link-local (cloud metadata), fc00::/7 …',
            }),
            allowedHosts: Type.Array(
              Type.String({ pattern: '^[A-Za-z0-9.:%_-]+(/\\d{1,3})?$', maxLength: 253 }),
              {
                default: [],
                description:
                  'host names, addresses and CIDR ranges webhooks may reach although internal',
              },
            ),
            allowedPorts: Type.Array(
              Type.Union([
                Type.Integer({ minimum: 1, maximum: 65535 }),
                Type.String({ pattern: '^\\d{1,5}-\\d{1,5}$' }),
              ]),
              {
                default: [...WEB_PORTS],
                description:
                  'ports webhooks may connect to, on every host (allowed internal ones too): numbers and "low-high" ranges. The web\'s ports by default, so that a webhook cannot speak to another service of a host it reaches (SMTP 25, Redis 6379, databases), as 1024-65535 would let it',
              },
            ),
          },
          "where webhooks may go: public addresses on the web's ports unless permitted here",
        ),
        smtp: Type.Optional(
          Type.Object(
            {
              host: Type.String({ minLength: 1 }),
              port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
              secure: Type.Boolean({
                default: false,
                description: 'TLS from the start (port 465); otherwise STARTTLS when offered',
              }),
              user: Type.Optional(Type.String()),
              password: Type.Optional(Type.String()),
              from: Type.String({
                minLength: 3,
                description: 'the sender, e.g. citybrain <alerts@city.example>',
              }),
            },
            {
              additionalProperties: false,
              description: 'the SMTP server of e-mail notifications; absent: no e-mail targets',
            },
          ),
        ),
      },
      'notification channels: webhooks, e-mail, MQTT',
    ),
    log: obj(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) =>
            Type.Literal(l),
          ),
          { default: 'info' },
        ),
      },
      'logging',
    ),
    demo: obj(
      {
        enabled: Type.Boolean({ default: false }),
        devicesPerKind: Type.Integer({ minimum: 1, maximum: 5000, default: 20 }),
        intervalMs: Type.Integer({ minimum: 50, default: 5000 }),
        seed: Type.Integer({ default: 20261123 }),
        episode: obj(
          {
            district: Type.Optional(Type.String()),
            startAfterSeconds: Type.Number({ minimum: 0, default: 60 }),
            durationSeconds: Type.Number({ minimum: 1, default: 900 }),
            pm25: Type.Number({ minimum: 0, default: 160 }),
          },
          'a pollution episode in one district',
        ),
      },
      'the simulated city',
    ),
    rules: Type.Array(RuleSchema, {
      default: [PM25_HIGH_RULE],
      description:
        'rules a city starts with: put in the store at start; a rule changed over the API since is left as it is',
    }),
    ruleEngine: obj(
      {
        latenessMs: Type.Integer({
          minimum: 0,
          maximum: 600_000,
          default: RULE_ENGINE_DEFAULTS.latenessMs,
          description:
            'how late (by event time) a fact may come and still count; later ones are ignored. Longer holds more facts per key in memory',
        }),
        rebuildMaxFacts: Type.Integer({
          minimum: 1000,
          maximum: 10_000_000,
          default: RULE_ENGINE_DEFAULTS.rebuildMaxFacts,
          description:
            'the most stored facts a rebuild of rule state reads per entity type, all held in memory; past it the read is cut (a warning, citybrain_rules_rebuilds_cut)',
        }),
        regroupAfterMs: Type.Integer({
          minimum: 100,
          maximum: 600_000,
          default: RULE_ENGINE_DEFAULTS.regroupAfterMs,
          description:
            'how long the rules must stay unchanged before rules of one group taken up apart are evaluated together again (rebuilt as one)',
        }),
        leases: obj(
          {
            ttlMs: Type.Integer({
              minimum: 1000,
              maximum: 600_000,
              default: LEASE_DEFAULTS.ttlMs,
              description:
                "how long a node's lease on a rule lasts unless renewed: a dead node's rules are taken over this long after its last renewal",
            }),
            renewMs: Type.Integer({
              minimum: 100,
              maximum: 200_000,
              default: LEASE_DEFAULTS.renewMs,
              description:
                'how often a node renews its leases and the rules are shared out again; at most a third of ttlMs',
            }),
          },
          'how nodes on a shared bus (bus.url) share the rules out; the same on every node',
        ),
      },
      "the rule engine's timings and limits (the rules themselves are in rules)",
    ),
    devices: Type.Array(DeviceSchema, { default: [] }),
  },
  { additionalProperties: false },
);

/** A validated configuration. */
export type Config = Static<typeof ConfigSchema>;
