import type { AttributeValue, Entity, Property, Relationship } from '../../core/index.js';
import type { ActorRef } from '../command/actor.js';

/** Where an alert is in its lifecycle. */
export type AlertStatus = 'raised' | 'acknowledged' | 'assigned' | 'resolved' | 'closed';

/** Every alert status, in lifecycle order. */
export const ALERT_STATUSES: readonly AlertStatus[] = [
  'raised',
  'acknowledged',
  'assigned',
  'resolved',
  'closed',
];

/** Statuses of an alert still being handled: deduplication and escalation apply to them. */
export const OPEN_ALERT_STATUSES: readonly AlertStatus[] = ['raised', 'acknowledged', 'assigned'];

/** Severities of the Smart Data Models Alert, least severe first. */
export const ALERT_SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** A Smart Data Models Alert severity. */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The more severe of two severities (unknown values count as least severe). */
export function maxSeverity(a: string, b: string): string {
  const rank = (s: string) => ALERT_SEVERITIES.indexOf(s as AlertSeverity);
  return rank(b) > rank(a) ? b : a;
}

/** One level of an escalation chain: who is responsible, and how soon they must acknowledge. */
export interface EscalationStep {
  organisation: string;
  /** Unacknowledged for longer than this, the alert escalates to the next level. */
  acknowledgeWithinSeconds?: number;
}

/** One entry of an alert's, incident's or task's history: who did what, when, and why. */
export interface HistoryEntry {
  /** What happened: `raised`, `acknowledged`, `assigned`, `escalated`, `resolved` … */
  action: string;
  /** ISO 8601. */
  at: string;
  by: ActorRef;
  note?: string;
  from?: string;
  to?: string;
  /** The organisation the action concerned (assignee, escalation target). */
  organisation?: string;
  /** The escalation level after the action. */
  level?: number;
}

/** A comment on an alert. */
export interface AlertComment {
  id: string;
  /** ISO 8601. */
  at: string;
  by: ActorRef;
  text: string;
}

/** The command-and-dispatch attributes of an Alert entity, typed. */
export interface AlertView {
  id: string;
  status: AlertStatus;
  severity: string;
  category: string;
  subCategory?: string;
  responsibleOrganisation?: string;
  escalationLevel: number;
  escalationChain: EscalationStep[];
  /** Epoch ms by which the current level must acknowledge. */
  acknowledgeBy?: number;
  assignee?: string;
  participants: string[];
  history: HistoryEntry[];
  comments: AlertComment[];
  incident?: string;
  /** areaServed, refDistrict and refCommunity: what the responsibility matrix matches. */
  areas: string[];
  dateIssued: string;
}

/** Most history entries and comments an alert keeps (the oldest go first). */
export const MAX_TRAIL = 500;

/** A Property of a value. */
export const prop = (value: unknown): Property => ({ type: 'Property', value });

/** ISO 8601 of epoch ms. */
export const iso = (t: number): string => new Date(t).toISOString();

/** The value of a Property (or object of a Relationship) of an entity. */
export function valueOf(entity: Entity, name: string): unknown {
  const attr = entity[name] as Property | Relationship | undefined;
  if (attr === undefined || Array.isArray(attr)) return undefined;
  return attr.type === 'Relationship' ? attr.object : attr.value;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** The areas an entity is in, as the responsibility matrix and incident grouping see them. */
export function areasOf(entity: Entity): string[] {
  const out: string[] = [];
  for (const name of ['areaServed', 'refDistrict', 'refCommunity']) {
    const v = valueOf(entity, name);
    for (const a of Array.isArray(v) ? v : [v]) if (typeof a === 'string') out.push(a);
  }
  return out;
}

/** Reads an Alert entity's lifecycle attributes. */
export function viewAlert(alert: Entity): AlertView {
  const get = (name: string) => valueOf(alert, name);
  const status = str(get('status')) ?? 'raised';
  const by = str(get('acknowledgeBy'));
  return {
    id: alert.id,
    status: (ALERT_STATUSES as readonly string[]).includes(status)
      ? (status as AlertStatus)
      : 'raised',
    severity: str(get('severity')) ?? 'informational',
    category: str(get('category')) ?? 'unknown',
    subCategory: str(get('subCategory')),
    responsibleOrganisation: str(get('responsibleOrganisation')),
    escalationLevel:
      typeof get('escalationLevel') === 'number' ? Number(get('escalationLevel')) : 1,
    escalationChain: list<EscalationStep>(get('escalationChain')),
    acknowledgeBy: by === undefined ? undefined : Date.parse(by),
    assignee: str(get('assignee')),
    participants: list<string>(get('participants')),
    history: list<HistoryEntry>(get('history')),
    comments: list<AlertComment>(get('comments')),
    incident: str(get('incident')),
    areas: areasOf(alert),
    dateIssued: str(get('dateIssued')) ?? '',
  };
}

/**
 * A copy of an entity with attributes set (plain values become Properties; attributes given
 * as `undefined` are removed). Never modifies `entity`.
 */
export function withAttributes(entity: Entity, attrs: Record<string, unknown>): Entity {
  const out: Entity = { ...entity };
  for (const [name, v] of Object.entries(attrs)) {
    if (v === undefined) delete out[name];
    else out[name] = isAttribute(v) ? v : prop(v);
  }
  return out;
}

function isAttribute(v: unknown): v is AttributeValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const type = (v as { type?: unknown }).type;
  return type === 'Property' || type === 'Relationship' || type === 'GeoProperty';
}

/** A trail with one more entry, capped at MAX_TRAIL. */
export function appended<T>(trail: readonly T[], entry: T): T[] {
  return [...trail, entry].slice(-MAX_TRAIL);
}
