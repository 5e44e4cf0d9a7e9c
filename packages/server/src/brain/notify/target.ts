import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { SEVERITIES } from './channel.js';

/** The collection targets live in, one document per target. */
export const NOTIFICATION_CHANNELS = 'notification-channels';

/** The organisation of the operator's targets: they get every event. */
export const ALL_ORGANISATIONS = '*';

/** `alert.raised`, `alert.*`, `incident.*`, `task.updated` … or `*` for everything. */
export const EventPatternSchema = Type.String({
  pattern: '^(\\*|(alert|incident|task)\\.(\\*|[a-z][A-Za-z]{0,39}))$',
  description: 'an event (alert.raised …), all events of a kind (task.*), or * for all',
});
const SeveritySchema = Type.Union(
  SEVERITIES.map((s) => Type.Literal(s)),
  { description: 'alerts below this severity are not sent (events without one always are)' },
);
const OrganisationSchema = Type.String({ pattern: '^(\\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,127})$' });
const UrlSchema = Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 });
const SecretSchema = Type.String({
  minLength: 16,
  maxLength: 256,
  description: 'the HMAC-SHA256 key of the Citybrain-Signature header; generated when absent',
});
const AddressSchema = Type.String({
  pattern: '^[^\\s@<>,;"\'()]+@[^\\s@<>,;"\'()]+$',
  maxLength: 254,
});
const TopicSchema = Type.String({
  pattern: '^(?!\\$)[^#+\\u0000]{1,1024}$',
  description: 'MQTT topic; default citybrain/v1/notifications/<organisation>/<event>',
});

const common = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  events: Type.Array(EventPatternSchema, { minItems: 1, maxItems: 20 }),
  minSeverity: Type.Optional(SeveritySchema),
};
const stored = {
  id: Type.String(),
  organisation: OrganisationSchema,
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};
const webhook = { kind: Type.Literal('webhook'), url: UrlSchema };
const email = {
  kind: Type.Literal('email'),
  to: Type.Array(AddressSchema, { minItems: 1, maxItems: 20 }),
};
const mqtt = { kind: Type.Literal('mqtt'), topic: Type.Optional(TopicSchema) };
const closed = { additionalProperties: false } as const;

/** A stored target: where one organisation's notifications go. */
export const NotificationTargetSchema = Type.Union([
  Type.Object({ ...stored, ...common, ...webhook, secret: SecretSchema }, closed),
  Type.Object({ ...stored, ...common, ...email }, closed),
  Type.Object({ ...stored, ...common, ...mqtt }, closed),
]);
/** A stored target, secret included: never send it to an API client. */
export type NotificationTarget = Static<typeof NotificationTargetSchema>;

const creatable = {
  ...common,
  enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
  organisation: Type.Optional(OrganisationSchema),
};
/** The body that creates a target (`organisation` defaults to the caller's; `*` is the operator's). */
export const TargetInputSchema = Type.Union([
  Type.Object({ ...creatable, ...webhook, secret: Type.Optional(SecretSchema) }, closed),
  Type.Object({ ...creatable, ...email }, closed),
  Type.Object({ ...creatable, ...mqtt }, closed),
]);
/** A new target as the API receives it. */
export type TargetInput = Static<typeof TargetInputSchema>;

/** The body that changes a target: the fields given replace the stored ones (its kind stays). */
export const TargetPatchSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    events: Type.Optional(common.events),
    minSeverity: Type.Optional(Type.Union([SeveritySchema, Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    url: Type.Optional(UrlSchema),
    secret: Type.Optional(SecretSchema),
    to: Type.Optional(email.to),
    topic: Type.Optional(Type.Union([TopicSchema, Type.Null()])),
  },
  closed,
);
/** A change to a target; `null` clears `minSeverity` or `topic`. */
export type TargetPatch = Static<typeof TargetPatchSchema>;

/** A target as the API shows it: the secret replaced by its fingerprint. */
export type TargetView = Omit<NotificationTarget, 'secret'> & { secretFingerprint?: string };

/** `sha256:` and the first 16 hex digits of the secret's SHA-256: enough to tell secrets apart. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The target without its secret. */
export function viewOf(target: NotificationTarget): TargetView {
  if (target.kind !== 'webhook') return { ...target };
  const { secret, ...rest } = target;
  return { ...rest, secretFingerprint: fingerprint(secret) };
}

/** Where a webhook goes, without path or query (which may carry a token): safe to log. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
