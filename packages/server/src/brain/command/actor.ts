import { CityError } from '../../core/index.js';

/** Who acts on alerts, incidents and tasks; the HTTP layer maps its Principal onto it. */
export interface Actor {
  /** A stable id of the person, API key or service. */
  subject: string;
  /** The organisation acted for (a department, a community). */
  organisation?: string;
  /** Roles within that organisation. */
  roles: readonly string[];
  /** The city operator: sees and may do everything. */
  operator: boolean;
}

/** Who did something, as a history entry records it. */
export interface ActorRef {
  subject: string;
  organisation?: string;
}

/**
 * Roles that may work on what their organisation is responsible for or assigned: acknowledge,
 * assign, escalate, resolve and close alerts; accept, progress, complete and reject tasks.
 */
export const RESPONDER_ROLES: ReadonlySet<string> = new Set(['admin', 'dispatcher', 'responder']);

/** Roles that may command: dispatch and cancel tasks, change an incident's status or commander. */
export const DISPATCHER_ROLES: ReadonlySet<string> = new Set(['admin', 'dispatcher']);

/** The platform itself (the rule engine, the escalation clock). */
export const SYSTEM: Actor = Object.freeze({ subject: 'system', roles: [], operator: true });

/** The reference a history entry keeps of an actor. */
export function refOf(actor: Actor): ActorRef {
  return actor.organisation === undefined
    ? { subject: actor.subject }
    : { subject: actor.subject, organisation: actor.organisation };
}

/** True when the actor may see something these organisations take part in. */
export function sees(actor: Actor, participants: readonly string[]): boolean {
  return (
    actor.operator ||
    (actor.organisation !== undefined && participants.includes(actor.organisation))
  );
}

/** The 404 every invisible or absent item answers: it never tells that the item exists. */
export function notFound(kind: string, id: string): CityError {
  return new CityError('ResourceNotFound', `no ${kind} ${id}`);
}

/**
 * Throws 403 unless the actor is the operator or a member of one of `organisations` with one of
 * `roles`. Call it after the visibility check, so that outsiders get a 404 first.
 */
export function requireRole(
  actor: Actor,
  organisations: readonly (string | undefined)[],
  roles: ReadonlySet<string>,
  what: string,
): void {
  if (actor.operator) return;
  const org = actor.organisation;
  if (org === undefined || !organisations.includes(org))
    throw new CityError(
      'Forbidden',
      `${what}: only ${describeOrgs(organisations)} or the operator may do this`,
    );
  if (!actor.roles.some((r) => roles.has(r)))
    throw new CityError('Forbidden', `${what}: needs one of the roles ${[...roles].join(', ')}`);
}

function describeOrgs(organisations: readonly (string | undefined)[]): string {
  const named = organisations.filter((o): o is string => o !== undefined);
  return named.length === 0 ? 'nobody' : `a member of ${named.join(' or ')}`;
}

/** Adds an organisation to a participants list (unchanged when present or undefined). */
export function withParticipant(
  participants: readonly string[],
  org: string | undefined,
): string[] {
  return org === undefined || participants.includes(org)
    ? [...participants]
    : [...participants, org];
}
