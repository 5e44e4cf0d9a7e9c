import { randomUUID } from 'node:crypto';
import {
  CityError,
  formatTypeExpression,
  isDateTime,
  isUri,
  parseTypeExpression,
  renameTypes,
} from '../../core/index.js';
import type { LdContext } from '../context/index.js';
import { compileSelector } from './entity-selector.js';
import { omit } from './omit.js';
import { compileFilters } from './query-filters.js';
import {
  NOTIFICATION_TRIGGERS,
  type Endpoint,
  type EntitySelector,
  type GeoQuerySpec,
  type KeyValuePair,
  type NotificationFormat,
  type NotificationParams,
  type NotificationTrigger,
  type StoredSubscription,
} from './subscription.js';

type Json = Record<string, unknown>;

const bad = (message: string): CityError => new CityError('BadRequestData', message);

/** Members of GS CIM 009 this broker does not implement: refused, never silently ignored. */
const NOT_SUPPORTED = ['csf', 'temporalQ', 'lang', 'datasetId', 'jsonldContext', 'expandValues'];
/** Read-only members a client may echo back from a GET; ignored on input. */
const READ_ONLY = new Set(['status', 'createdAt', 'modifiedAt', '@context']);
const KNOWN = new Set([
  'id',
  'type',
  'subscriptionName',
  'description',
  'entities',
  'watchedAttributes',
  'notificationTrigger',
  'timeInterval',
  'q',
  'geoQ',
  'scopeQ',
  'isActive',
  'expiresAt',
  'throttling',
  'notification',
  ...READ_ONLY,
]);
const FORMATS: Record<string, NotificationFormat> = {
  normalized: 'normalized',
  keyValues: 'keyValues',
  simplified: 'keyValues',
  concise: 'concise',
};
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SCHEMES = new Set(['http:', 'https:', 'mqtt:', 'mqtts:']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Json, key: string, path: string): string | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== 'string') throw bad(`${path}${key} must be a string`);
  return v;
}

function positive(o: Json, key: string, unit = 'seconds'): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw bad(`${key} must be a number of ${unit} greater than 0`);
  return v;
}

function names(v: unknown, path: string, expand: (t: string) => string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || !v.every((n) => typeof n === 'string' && n !== ''))
    throw bad(`${path} must be a non-empty list of attribute names`);
  return (v as string[]).map(expand);
}

function parseSelectors(v: unknown, ctx: LdContext): EntitySelector[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw bad('entities must be a non-empty list');
  return v.map((raw, i) => {
    if (!isObject(raw)) throw bad(`entities[${i}] must be an object`);
    const type = optString(raw, 'type', `entities[${i}].`);
    if (type === undefined || type === '') throw bad(`entities[${i}].type is mandatory`);
    const sel: EntitySelector = {
      type: formatTypeExpression(renameTypes(parseTypeExpression(type), (t) => ctx.expand(t))),
    };
    const id = optString(raw, 'id', `entities[${i}].`);
    const idPattern = optString(raw, 'idPattern', `entities[${i}].`);
    if (id !== undefined) sel.id = id;
    if (idPattern !== undefined) sel.idPattern = idPattern;
    compileSelector(sel); // validates the id and the pattern
    return sel;
  });
}

function keyValues(v: unknown, path: string): KeyValuePair[] | undefined {
  if (v === undefined) return undefined;
  if (
    !Array.isArray(v) ||
    !v.every((p) => isObject(p) && typeof p.key === 'string' && typeof p.value === 'string')
  )
    throw bad(`${path} must be a list of {"key": string, "value": string}`);
  const pairs = v.map((p) => ({ key: (p as KeyValuePair).key, value: (p as KeyValuePair).value }));
  const badKey = pairs.find((p) => !HEADER_NAME.test(p.key) || /[\r\n]/.test(p.value));
  if (badKey) throw bad(`${path} key ${JSON.stringify(badKey.key)} cannot be a header name`);
  return pairs;
}

function parseEndpoint(v: unknown): Endpoint {
  if (!isObject(v)) throw bad('notification.endpoint is mandatory');
  const uri = optString(v, 'uri', 'notification.endpoint.');
  let url: URL | undefined;
  try {
    url = uri === undefined ? undefined : new URL(uri);
  } catch {
    url = undefined;
  }
  if (!url || !SCHEMES.has(url.protocol) || url.host === '')
    throw bad('notification.endpoint.uri must be an absolute http(s):// or mqtt(s):// URI');
  const out: Endpoint = { uri: uri! };
  const accept = optString(v, 'accept', 'notification.endpoint.');
  if (accept !== undefined) {
    if (accept === 'application/geo+json')
      throw new CityError(
        'OperationNotSupported',
        'application/geo+json notifications are not supported yet',
      );
    if (accept !== 'application/json' && accept !== 'application/ld+json')
      throw bad('notification.endpoint.accept must be application/json or application/ld+json');
    out.accept = accept;
  }
  for (const key of ['timeout', 'cooldown'] as const) {
    const ms = positive(v, key, 'milliseconds');
    if (ms !== undefined) out[key] = ms;
  }
  const receiverInfo = keyValues(v.receiverInfo, 'notification.endpoint.receiverInfo');
  const notifierInfo = keyValues(v.notifierInfo, 'notification.endpoint.notifierInfo');
  const qos = notifierInfo?.find((p) => p.key === 'MQTT-QoS')?.value;
  if (qos !== undefined && !['0', '1', '2'].includes(qos))
    throw bad('notifierInfo MQTT-QoS must be 0, 1 or 2');
  if (receiverInfo) out.receiverInfo = receiverInfo;
  if (notifierInfo) out.notifierInfo = notifierInfo;
  return out;
}

function parseNotification(v: unknown, ctx: LdContext): NotificationParams {
  if (!isObject(v)) throw bad('notification is mandatory: {"endpoint": {"uri": …}}');
  const rawFormat = optString(v, 'format', 'notification.') ?? 'normalized';
  const format = FORMATS[rawFormat];
  if (!format) throw bad('notification.format must be normalized, keyValues or concise');
  const out: NotificationParams = { format, endpoint: parseEndpoint(v.endpoint) };
  const attributes = names(v.attributes, 'notification.attributes', (t) => ctx.expand(t));
  if (attributes) out.attributes = attributes;
  for (const flag of ['showChanges', 'sysAttrs'] as const) {
    if (v[flag] === undefined) continue;
    if (typeof v[flag] !== 'boolean') throw bad(`notification.${flag} must be true or false`);
    out[flag] = v[flag];
  }
  return out;
}

function parseTriggers(v: unknown): NotificationTrigger[] | undefined {
  if (v === undefined) return undefined;
  const ok = (t: unknown): t is NotificationTrigger =>
    NOTIFICATION_TRIGGERS.includes(t as NotificationTrigger);
  if (!Array.isArray(v) || v.length === 0 || !v.every(ok))
    throw bad(
      `notificationTrigger must be a non-empty list of ${NOTIFICATION_TRIGGERS.join(', ')}`,
    );
  return v;
}

function parseGeoQ(v: unknown): GeoQuerySpec | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || typeof v.geometry !== 'string' || typeof v.georel !== 'string')
    throw bad('geoQ needs "geometry", "coordinates" and "georel"');
  if (!Array.isArray(v.coordinates) && typeof v.coordinates !== 'string')
    throw bad('geoQ.coordinates must be an array (or its JSON text)');
  const out: GeoQuerySpec = { geometry: v.geometry, coordinates: v.coordinates, georel: v.georel };
  const geoproperty = optString(v, 'geoproperty', 'geoQ.');
  if (geoproperty !== undefined) out.geoproperty = geoproperty;
  return out;
}

/** What parseSubscription needs besides the body. */
export interface ParseOptions {
  /** The client's @context (names in the body are its terms). */
  ctx: LdContext;
  now: Date;
  /** On PATCH, the subscription being changed: its id, creation time and delivery state stay. */
  existing?: StoredSubscription;
}

/**
 * Validates a Subscription (clause 5.2.12) as a client wrote it and returns it in stored form,
 * names canonical. Throws BadRequestData (400) or OperationNotSupported (501).
 */
export function parseSubscription(
  body: unknown,
  { ctx, now, existing }: ParseOptions,
): StoredSubscription {
  if (!isObject(body)) throw bad('a subscription must be a JSON object');
  if (body.type !== 'Subscription') throw bad('a subscription\'s "type" must be "Subscription"');
  const unsupported = NOT_SUPPORTED.filter((k) => body[k] !== undefined);
  if (unsupported.length > 0)
    throw new CityError('OperationNotSupported', `${unsupported.join(', ')} not supported yet`);
  const unknown = Object.keys(body).filter((k) => !KNOWN.has(k) && !NOT_SUPPORTED.includes(k));
  if (unknown.length > 0) throw bad(`unknown subscription member(s): ${unknown.join(', ')}`);

  const id =
    existing?.id ?? optString(body, 'id', '') ?? `urn:ngsi-ld:Subscription:${randomUUID()}`;
  if (!isUri(id)) throw bad(`subscription id ${JSON.stringify(id)} is not a URI`);
  const entities = parseSelectors(body.entities, ctx);
  const watchedAttributes = names(body.watchedAttributes, 'watchedAttributes', (t) =>
    ctx.expand(t),
  );
  if (!entities && !watchedAttributes)
    throw bad('a subscription needs entities or watchedAttributes');
  const timeInterval = positive(body, 'timeInterval');
  const throttling = positive(body, 'throttling');
  if (timeInterval !== undefined && watchedAttributes)
    throw bad('timeInterval cannot be combined with watchedAttributes');
  if (timeInterval !== undefined && throttling !== undefined)
    throw bad('timeInterval cannot be combined with throttling');
  if (timeInterval !== undefined && !entities) throw bad('timeInterval needs entities');
  if (body.isActive !== undefined && typeof body.isActive !== 'boolean')
    throw bad('isActive must be true or false');
  const expiresAt = optString(body, 'expiresAt', '');
  if (expiresAt !== undefined && !isDateTime(expiresAt))
    throw bad('expiresAt must be an ISO 8601 date-time');
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime() && !existing)
    throw bad('expiresAt must be in the future');
  const q = optString(body, 'q', '');
  const scopeQ = optString(body, 'scopeQ', '');
  const geoQ = parseGeoQ(body.geoQ);
  const stamp = now.toISOString();

  const sub: StoredSubscription = {
    id,
    type: 'Subscription',
    isActive: body.isActive ?? true,
    notification: parseNotification(body.notification, ctx),
    createdAt: existing?.createdAt ?? stamp,
    modifiedAt: stamp,
    jsonldContext: existing?.jsonldContext ?? ctx.responseContext,
    linkHeader: existing?.linkHeader ?? ctx.linkHeader,
    filters: compileFilters({ q, geoQ, scopeQ }, (t) => ctx.expand(t)),
  };
  const optional = {
    entities,
    watchedAttributes,
    timeInterval,
    throttling,
    expiresAt,
    q,
    scopeQ,
    geoQ,
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) Object.assign(sub, { [key]: value });
  const notificationTrigger = parseTriggers(body.notificationTrigger);
  if (notificationTrigger) sub.notificationTrigger = notificationTrigger;
  for (const key of ['subscriptionName', 'description'] as const) {
    const v = optString(body, key, '');
    if (v !== undefined) sub[key] = v;
  }
  if (existing) {
    const settings = ['format', 'attributes', 'showChanges', 'sysAttrs', 'endpoint'] as const;
    Object.assign(sub.notification, omit(existing.notification, settings));
  }
  return sub;
}
