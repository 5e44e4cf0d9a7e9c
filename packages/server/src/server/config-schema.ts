import { PM25_HIGH_RULE } from '../brain/index.js';
import { Type, type Static } from 'typebox';

const obj = <T extends Parameters<typeof Type.Object>[0]>(props: T, description: string) =>
  Type.Object(props, { default: {}, additionalProperties: false, description });

const RuleSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    kind: Type.Literal('threshold'),
    name: Type.String({ minLength: 1 }),
    entityType: Type.String({ minLength: 1 }),
    attribute: Type.String({ minLength: 1 }),
    operator: Type.Union([
      Type.Literal('>'),
      Type.Literal('>='),
      Type.Literal('<'),
      Type.Literal('<='),
    ]),
    value: Type.Number(),
    forSeconds: Type.Number({ minimum: 0 }),
    severity: Type.Union(
      ['informational', 'low', 'medium', 'high', 'critical'].map((s) => Type.Literal(s)),
    ),
    category: Type.String({ default: 'environment' }),
    subCategory: Type.String({ default: 'airPollution' }),
  },
  { additionalProperties: false },
);

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
    http: obj(
      {
        host: Type.String({ default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
      },
      'HTTP API and cockpit',
    ),
    mqtt: obj(
      {
        host: Type.String({ default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
      },
      'embedded MQTT broker',
    ),
    store: obj(
      {
        synchronous: Type.Union([Type.Literal('full'), Type.Literal('normal')], {
          default: 'full',
        }),
      },
      'embedded SQLite store',
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
      { maxBatch: Type.Integer({ minimum: 1, maximum: 100_000, default: 8192 }) },
      'ingest',
    ),
    auth: obj(
      {
        mode: Type.Union([Type.Literal('token'), Type.Literal('none')], { default: 'token' }),
        adminToken: Type.Optional(Type.String({ minLength: 16 })),
      },
      'authentication',
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
    rules: Type.Array(RuleSchema, { default: [PM25_HIGH_RULE] }),
    devices: Type.Array(DeviceSchema, { default: [] }),
  },
  { additionalProperties: false },
);

/** A validated configuration. */
export type Config = Static<typeof ConfigSchema>;
