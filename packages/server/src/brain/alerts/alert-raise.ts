import type { Entity } from '../../core/index.js';
import { refOf, SYSTEM } from '../command/actor.js';
import {
  iso,
  OPEN_ALERT_STATUSES,
  prop,
  viewAlert,
  withAttributes,
  type EscalationStep,
} from './alert-model.js';
import { describeAlert } from './alert-text.js';

/** What an alert needs of the rule that raised it (any rule kind with these fields will do). */
export interface AlertRule {
  id: string;
  category: string;
  subCategory?: string;
  /** A Smart Data Models severity: informational, low, medium, high, critical. */
  severity: string;
  name?: string;
}

/** One piece of evidence: a value observed at a time (of an entity's attribute, if known). */
export interface AlertEvidence {
  observedAt: number;
  value: unknown;
  entityId?: string;
  attr?: string;
}

/** What raising an alert needs to know. */
export interface RaiseAlert {
  rule: AlertRule;
  /** What the alert is about: its location and areas are copied, it is the `alertSource`. */
  source: Entity;
  /**
   * The deduplication key within the rule (an entity id, a district …); `source.id` by default.
   * While an alert of (rule, key) is open, raising again refreshes it instead of adding one.
   */
  key?: string;
  /** When the condition began, epoch ms. */
  since: number;
  /** When it was decided, epoch ms. */
  at: number;
  evidence: readonly AlertEvidence[];
  /** Texts to show; made from the rule when absent. */
  description?: { en: string; zh?: string };
}

/** Who is responsible for a new alert, as the responsibility matrix decided. */
export interface AlertRoute {
  /** The matrix entry that matched. */
  entry: string;
  chain: EscalationStep[];
}

/** Most evidence items an alert keeps (the newest). */
export const MAX_EVIDENCE = 50;

const evidenceOf = (evidence: readonly AlertEvidence[]) =>
  evidence.map((e) => ({ ...e, observedAt: iso(e.observedAt) }));

/** The id of the alert of (rule, key) whose condition began at `since`. */
export function alertIdOf(input: RaiseAlert): string {
  const key = input.key ?? input.source.id;
  const local = key.split(':').pop() ?? key;
  return `urn:ngsi-ld:Alert:${input.rule.id}:${local}:${input.since}`;
}

/** A new Alert entity (Smart Data Models Alert plus the command attributes), routed by `route`. */
export function buildAlert(input: RaiseAlert, route: AlertRoute | undefined, now: number): Entity {
  const { rule, source, since, at } = input;
  const text = input.description ?? describeAlert(input);
  const first = route?.chain[0];
  const within = first?.acknowledgeWithinSeconds;
  const alert: Entity = {
    id: alertIdOf(input),
    type: 'Alert',
    category: prop(rule.category),
    ...(rule.subCategory !== undefined && { subCategory: prop(rule.subCategory) }),
    severity: prop(rule.severity),
    description: prop(text.en),
    ...(text.zh !== undefined && { descriptionZh: prop(text.zh) }),
    dateIssued: prop(iso(at)),
    validFrom: prop(iso(since)),
    status: prop('raised'),
    rule: prop(rule.id),
    sourceKey: prop(input.key ?? source.id),
    evidence: prop(evidenceOf(input.evidence.slice(-MAX_EVIDENCE))),
    lastSeen: prop(iso(at)),
    occurrences: prop(1),
    alertSource: { type: 'Relationship', object: source.id },
    escalationLevel: prop(1),
    escalationChain: prop(route?.chain ?? []),
    participants: prop(first ? [first.organisation] : []),
    history: prop([
      {
        action: 'raised',
        at: iso(now),
        by: refOf(SYSTEM),
        to: 'raised',
        level: 1,
        ...(first && { organisation: first.organisation }),
        ...(route && { note: `routed by responsibility ${route.entry}` }),
      },
    ]),
    comments: prop([]),
  };
  if (first) alert.responsibleOrganisation = prop(first.organisation);
  if (route) alert.responsibility = prop(route.entry);
  if (within) alert.acknowledgeBy = prop(iso(now + within * 1000));
  for (const name of ['location', 'areaServed', 'refDistrict', 'refCommunity'])
    if (source[name] !== undefined) alert[name] = source[name];
  return alert;
}

/** Evidence kept plus new items not already kept (a replay repeats them), newest last. */
function mergeEvidence(kept: readonly unknown[], added: readonly unknown[]): unknown[] {
  const seen = new Set(kept.map((e) => JSON.stringify(e)));
  const fresh = added.filter((e) => !seen.has(JSON.stringify(e)));
  return [...kept, ...fresh].slice(-MAX_EVIDENCE);
}

/**
 * The alert refreshed by a repeated raise (new evidence, last seen, one more occurrence, and
 * what it says: a late fact may have changed the value that decided it), or undefined when the
 * alert is no longer open and a new one must be raised. Pure.
 */
export function refreshAlert(alert: Entity, input: RaiseAlert): Entity | undefined {
  const view = viewAlert(alert);
  if (!OPEN_ALERT_STATUSES.includes(view.status)) return undefined;
  const previous = alert.evidence as { value?: unknown } | undefined;
  const kept = Array.isArray(previous?.value) ? (previous.value as unknown[]) : [];
  const occurrences = alert.occurrences as { value?: unknown } | undefined;
  const text = input.description ?? describeAlert(input);
  return withAttributes(alert, {
    evidence: mergeEvidence(kept, evidenceOf(input.evidence)),
    lastSeen: iso(input.at),
    occurrences: (typeof occurrences?.value === 'number' ? occurrences.value : 1) + 1,
    description: text.en,
    ...(text.zh !== undefined && { descriptionZh: text.zh }),
  });
}
