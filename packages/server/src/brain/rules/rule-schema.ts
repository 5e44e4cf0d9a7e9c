import { Type, type Static, type TSchema } from 'typebox';

/** One of a list of strings: the schema lists them, the type is their union. */
const oneOf = <T extends string>(values: readonly T[], options: Record<string, unknown> = {}) =>
  Type.Unsafe<T>(
    Type.Union(
      values.map((v) => Type.Literal(v)),
      options,
    ),
  );

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];
export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max', 'percentile'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

const Name = Type.String({ minLength: 1, maxLength: 256 });
const Seconds = Type.Number({ exclusiveMinimum: 0, maximum: 366 * 86_400 });
const Op = oneOf(OPERATORS);

/** A comparison of a number with a constant: `value > 75`. */
const Condition = Type.Object(
  { operator: Op, value: Type.Number() },
  { additionalProperties: false },
);

/** The hysteresis of a rule: it clears on its own condition, held for a while. */
const Clear = Type.Object(
  {
    operator: Op,
    value: Type.Number(),
    forSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 366 * 86_400 })),
  },
  { additionalProperties: false, description: 'clears only on this condition (hysteresis)' },
);

/** Which facts a rule reads: an entity type, optionally of one area. */
const Select = Type.Object(
  {
    entityType: Name,
    area: Type.Optional(
      Type.String({ description: 'only entities whose areaServed (or district) is this' }),
    ),
  },
  { additionalProperties: false },
);

/** A tumbling (slide = size) or sliding window, by event time. */
const Window = Type.Object(
  {
    type: oneOf(['tumbling', 'sliding'] as const),
    sizeSeconds: Seconds,
    slideSeconds: Type.Optional(Seconds),
  },
  { additionalProperties: false },
);

/** A GeoJSON Polygon or MultiPolygon (lon, lat). */
const Area = Type.Object(
  {
    type: oneOf(['Polygon', 'MultiPolygon'] as const),
    coordinates: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** An aggregate over a window: `avg(pm25) over 10 min > 75`. */
const AggregateSpec = {
  attribute: Type.Optional(Type.String({ description: 'absent for count' })),
  function: oneOf(AGGREGATES),
  percentile: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  window: Window,
  groupBy: Type.Optional(
    oneOf(['entity', 'area', 'all'] as const, { description: 'default entity' }),
  ),
  ...Condition.properties,
};

/** What every rule has. */
const Common = {
  id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  status: Type.Optional(
    oneOf(['draft', 'active', 'paused'] as const, { description: 'default active' }),
  ),
  severity: oneOf(SEVERITIES),
  category: Type.String({ minLength: 1, maxLength: 64 }),
  subCategory: Type.Optional(Type.String({ maxLength: 64 })),
};

const rule = <K extends string, P extends Record<string, TSchema>>(kind: K, props: P) =>
  Type.Object(
    { ...Common, kind: Type.Literal(kind), select: Select, ...props },
    { additionalProperties: false },
  );

/** `attribute op value` held for `forSeconds` (event time), per entity. */
export const ThresholdRuleSchema = rule('threshold', {
  attribute: Name,
  ...Condition.properties,
  forSeconds: Type.Optional(
    Type.Number({ minimum: 0, maximum: 366 * 86_400, description: 'default 0: at once' }),
  ),
  clear: Type.Optional(Clear),
});

/** An aggregate over a tumbling or sliding window, per entity, per area or city-wide. */
export const AggregateRuleSchema = rule('aggregate', {
  ...AggregateSpec,
  clear: Type.Optional(Clear),
});

/** The change of an attribute per `perSeconds`, over the last `overSeconds`, per entity. */
export const RateRuleSchema = rule('rate', {
  attribute: Name,
  overSeconds: Seconds,
  perSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'default 60' })),
  ...Condition.properties,
});

/** No fact from an entity (a device's heartbeat) for `silentForSeconds`. */
export const AbsenceRuleSchema = rule('absence', { silentForSeconds: Seconds });

/** An entity's position enters or leaves an area. */
export const GeofenceRuleSchema = rule('geofence', {
  attribute: Type.Optional(Type.String({ description: 'default location' })),
  area: Area,
  on: Type.Optional(oneOf(['enter', 'leave', 'both'] as const, { description: 'default enter' })),
});

/** How many entities are inside an area (optionally only those meeting a condition). */
export const CountInAreaRuleSchema = rule('countInArea', {
  attribute: Type.Optional(Type.String({ description: 'default location' })),
  area: Area,
  where: Type.Optional(
    Type.Object(
      { attribute: Name, operator: Op, value: Type.Number() },
      { additionalProperties: false },
    ),
  ),
  ...Condition.properties,
  clear: Type.Optional(Clear),
});

/** Conditions over several sources, true in the same area within `withinSeconds`. */
export const CorrelationRuleSchema = Type.Object(
  {
    ...Common,
    kind: Type.Literal('correlation'),
    conditions: Type.Array(
      Type.Object(
        { label: Type.Optional(Name), select: Select, ...AggregateSpec },
        { additionalProperties: false },
      ),
      { minItems: 2, maxItems: 5 },
    ),
    withinSeconds: Seconds,
  },
  { additionalProperties: false },
);

/** A rule, as data (JSON or YAML). */
export const RuleSchema = Type.Union([
  ThresholdRuleSchema,
  AggregateRuleSchema,
  RateRuleSchema,
  AbsenceRuleSchema,
  GeofenceRuleSchema,
  CountInAreaRuleSchema,
  CorrelationRuleSchema,
]);

export type ThresholdRule = Static<typeof ThresholdRuleSchema>;
export type AggregateRule = Static<typeof AggregateRuleSchema>;
export type RateRule = Static<typeof RateRuleSchema>;
export type AbsenceRule = Static<typeof AbsenceRuleSchema>;
export type GeofenceRule = Static<typeof GeofenceRuleSchema>;
export type CountInAreaRule = Static<typeof CountInAreaRuleSchema>;
export type CorrelationRule = Static<typeof CorrelationRuleSchema>;
export type Rule = Static<typeof RuleSchema>;
export type RuleKind = Rule['kind'];
export type ClearCondition = Static<typeof Clear>;
export type AggregateCondition = CorrelationRule['conditions'][number];

/**
 * Defaults are applied in code, not by the schema: a `default` inside a union is ignored by the
 * validator (Fastify refuses such a schema in strict mode).
 */
export const isActive = (rule: Rule): boolean => (rule.status ?? 'active') === 'active';

/** True when `observed op value`. */
export function compare(observed: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '>':
      return observed > value;
    case '>=':
      return observed >= value;
    case '<':
      return observed < value;
    case '<=':
      return observed <= value;
    case '==':
      return observed === value;
    case '!=':
      return observed !== value;
  }
}
