import { Type, type Static } from 'typebox';

/** Why data may be read: the controlled list every grant and every request names one of. */
export const PURPOSES = [
  'epidemic-control',
  'traffic-management',
  'public-safety',
  'public-service',
  'environmental-protection',
  'emergency-response',
  'urban-planning',
  'research',
] as const;
export type Purpose = (typeof PURPOSES)[number];

/** How sensitive a dataset is. */
export const CLASSIFICATIONS = ['public', 'internal', 'personal', 'sensitive'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** What an assignee must not do with the data (ODRL prohibitions). */
export const PROHIBITIONS = ['re-identification', 'redistribution', 'commercial-use'] as const;

/** The ODRL action each prohibition forbids (ODRL's own where it has one). */
const ODRL_PROHIBITED: Record<(typeof PROHIBITIONS)[number], string> = {
  're-identification': 'cb:re-identify',
  redistribution: 'distribute',
  'commercial-use': 'commercialize',
};

/** One of a list of strings: the schema lists them, the type is their union. */
const oneOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });
const Text = Type.String({ minLength: 1, maxLength: 500 });

export const OrganisationSchema = Type.Object(
  {
    id: Id,
    name: Type.Object(
      { en: Text, zh: Type.Optional(Text) },
      { additionalProperties: false, description: 'display name, English and Chinese' },
    ),
    kind: Type.Union([
      Type.Literal('department'),
      Type.Literal('community'),
      Type.Literal('enterprise'),
    ]),
    tenants: Type.Optional(
      Type.Array(Id, {
        uniqueItems: true,
        description:
          'NGSI-LD tenants (besides the default one) its members may use; others do not exist for them',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Organisation = Static<typeof OrganisationSchema>;

/** A dataset: an entity type (or stream) with its owner and its classification. */
export const DatasetSchema = Type.Object(
  {
    id: Id,
    owner: Id,
    classification: oneOf(CLASSIFICATIONS),
    title: Type.Optional(Text),
    context: Type.Optional(
      Type.String({
        format: 'uri',
        maxLength: 2000,
        description:
          'the JSON-LD @context in which the id (the entity type) and the attribute names of its grants are terms; default: the NGSI-LD core context',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Dataset = Static<typeof DatasetSchema>;

const Duty = Type.Union([
  Type.Object(
    { action: Type.Literal('delete'), afterDays: Type.Integer({ minimum: 1, maximum: 3650 }) },
    { additionalProperties: false, description: 'delete what was read after N days' },
  ),
  Type.Object(
    { action: Type.Literal('inform'), party: Type.Literal('owner') },
    { additionalProperties: false, description: 'the owner is told of every access' },
  ),
]);

/** What a grant request carries (the assignee is the requester's organisation). */
export const GrantRequestSchema = Type.Object(
  {
    target: Id,
    attributes: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      minItems: 1,
      uniqueItems: true,
      description: 'the attributes that may be read; others are omitted',
    }),
    rowFilter: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description: 'an NGSI-LD q expression: rows outside it are invisible',
      }),
    ),
    purpose: oneOf(PURPOSES),
    validFrom: Type.String({ format: 'date-time' }),
    validUntil: Type.String({ format: 'date-time' }),
    duties: Type.Array(Duty, { default: [] }),
    prohibitions: Type.Array(oneOf(PROHIBITIONS), {
      default: [],
      uniqueItems: true,
    }),
    /** Who asks on behalf of whom: the operator may name the assignee. */
    assignee: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type GrantRequest = Static<typeof GrantRequestSchema>;

/** Where a grant is in its life; `expired` is derived from `validUntil`, never stored. */
export type GrantStatus = 'requested' | 'approved' | 'rejected' | 'revoked' | 'expired';

/** A grant as kept: the request, its parties and its history. */
export interface Grant extends Omit<GrantRequest, 'assignee'> {
  id: string;
  /** The owner of the target dataset. */
  assigner: string;
  assignee: string;
  status: Exclude<GrantStatus, 'expired'>;
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  revokedBy?: string;
  revokedAt?: string;
}

/** The status a grant has at `now`: an approved grant past its validity has expired. */
export function statusAt(grant: Grant, now: number): GrantStatus {
  return grant.status === 'approved' && Date.parse(grant.validUntil) <= now
    ? 'expired'
    : grant.status;
}

/** True when the grant allows reading now (approved, begun, not yet over). */
export function inForce(grant: Grant, now: number): boolean {
  return (
    grant.status === 'approved' &&
    Date.parse(grant.validFrom) <= now &&
    now < Date.parse(grant.validUntil)
  );
}

/** The grant as an ODRL 2.2 Agreement (JSON-LD), as it is shown to its parties. */
export function toOdrl(grant: Grant, now: number): Record<string, unknown> {
  return {
    '@context': ['http://www.w3.org/ns/odrl.jsonld', { cb: 'urn:citybrain:' }],
    '@type': 'Agreement',
    uid: `urn:citybrain:grant:${grant.id}`,
    assigner: grant.assigner,
    assignee: grant.assignee,
    'cb:status': statusAt(grant, now),
    permission: [
      {
        target: grant.target,
        action: 'read',
        constraint: [
          { leftOperand: 'purpose', operator: 'eq', rightOperand: grant.purpose },
          { leftOperand: 'dateTime', operator: 'gteq', rightOperand: grant.validFrom },
          { leftOperand: 'dateTime', operator: 'lt', rightOperand: grant.validUntil },
          { leftOperand: 'cb:attributes', operator: 'isAnyOf', rightOperand: grant.attributes },
          ...(grant.rowFilter
            ? [{ leftOperand: 'cb:rowFilter', operator: 'eq', rightOperand: grant.rowFilter }]
            : []),
        ],
        duty: grant.duties.map((d) =>
          d.action === 'delete'
            ? {
                action: 'delete',
                constraint: [
                  {
                    leftOperand: 'elapsedTime',
                    operator: 'lteq',
                    rightOperand: `P${d.afterDays}D`,
                  },
                ],
              }
            : { action: 'inform', informedParty: grant.assigner },
        ),
      },
    ],
    prohibition: grant.prohibitions.map((p) => ({
      target: grant.target,
      action: ODRL_PROHIBITED[p],
    })),
  };
}
