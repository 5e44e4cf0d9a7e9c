import {
  formatTypeExpression,
  NGSI_LD_NULL,
  parseTypeExpression,
  renameTypes,
} from '../../core/index.js';
import type { LdContext } from '../context/index.js';
import { omit } from './omit.js';
import { subscriptionState, type StoredSubscription } from './subscription.js';

/** How to show a subscription. */
export interface RenderSubscriptionOptions {
  /** The @context of the request: canonical names become its terms. */
  ctx: LdContext;
  now: number;
  /** Show createdAt / modifiedAt (options=sysAttrs). */
  sysAttrs?: boolean;
}

/** A stored subscription as a client sees it (clause 5.2.12), with its read-only status. */
export function renderSubscription(
  sub: StoredSubscription,
  { ctx, now, sysAttrs }: RenderSubscriptionOptions,
): Record<string, unknown> {
  const rest = omit(sub, [
    'filters',
    'owner',
    'jsonldContext',
    'linkHeader',
    'createdAt',
    'modifiedAt',
  ]);
  const compact = (name: string): string => ctx.compact(name);
  const out: Record<string, unknown> = { ...rest, status: subscriptionState(sub, now) };
  if (sub.entities)
    out.entities = sub.entities.map((sel) => ({
      ...sel,
      type: formatTypeExpression(renameTypes(parseTypeExpression(sel.type), compact)),
    }));
  if (sub.watchedAttributes) out.watchedAttributes = sub.watchedAttributes.map(compact);
  const notification: Record<string, unknown> = { ...sub.notification };
  if (sub.notification.attributes)
    notification.attributes = sub.notification.attributes.map(compact);
  out.notification = notification;
  if (sysAttrs) Object.assign(out, { createdAt: sub.createdAt, modifiedAt: sub.modifiedAt });
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges a PATCH fragment (clause 5.8.2) into a subscription as a client sees it: each member
 * given replaces the one held, `notification` is merged member by member, and a member set to
 * null or the NGSI-LD Null is removed.
 */
export function mergeFragment(
  view: Record<string, unknown>,
  fragment: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...view };
  for (const [key, value] of Object.entries(fragment)) {
    if (key === '@context') continue;
    if (value === null || value === NGSI_LD_NULL) delete out[key];
    else if (key === 'notification' && isObject(value) && isObject(out.notification))
      out.notification = { ...out.notification, ...value };
    else out[key] = value;
  }
  return out;
}
