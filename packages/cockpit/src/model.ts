import type { Geometry } from './domain/geometry.js';

/** The seven device entity types the cockpit draws. */
export const DEVICE_KINDS = [
  'AirQualityObserved',
  'TrafficFlowObserved',
  'ParkingSpot',
  'WasteContainer',
  'Streetlight',
  'ThreePhaseAcMeasurement',
  'NoiseLevelObserved',
] as const;

/** One of the device entity types. */
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** True when `type` is a device kind the cockpit draws. */
export function isDeviceKind(type: string): type is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(type);
}

/** An NGSI-LD entity in keyValues form. */
export interface KeyValuesEntity {
  id: string;
  type: string;
  name?: string;
  alternateName?: string;
  location?: Geometry;
  [attribute: string]: unknown;
}

/** A device entity (keyValues) of one of the device kinds. */
export interface DeviceEntity extends KeyValuesEntity {
  type: DeviceKind;
}

/** Alert severities, least to most severe. */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** Severity of an alert. */
export type Severity = (typeof SEVERITIES)[number];

/** Lifecycle status of an alert, in lifecycle order. */
export const ALERT_STATUSES = ['raised', 'acknowledged', 'assigned', 'resolved', 'closed'] as const;

/** Lifecycle status of an alert. */
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Statuses of an alert still being handled: it stays on the map and counts as open. */
export const OPEN_ALERT_STATUSES: readonly AlertStatus[] = ['raised', 'acknowledged', 'assigned'];

/** True while an alert is being handled (raised, acknowledged or assigned). */
export function isOpenAlert(alert: Pick<Alert, 'status'>): boolean {
  return OPEN_ALERT_STATUSES.includes(alert.status);
}

/** One data point that made a rule fire. */
export interface Evidence {
  observedAt: string;
  value: unknown;
  /** The entity and attribute observed, when the rule knows them. */
  entityId?: string;
  attr?: string;
}

/** Who did something: a person, an API key or `system`, and the organisation acted for. */
export interface ActorRef {
  subject: string;
  organisation?: string;
}

/** One entry of an alert's, incident's or task's history: who did what, when, and why. */
export interface HistoryEntry {
  /** `raised`, `acknowledged`, `assigned`, `escalated`, `resolved`, `dispatched` … */
  action: string;
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
  at: string;
  by: ActorRef;
  text: string;
}

/** One level of an alert's escalation chain. */
export interface EscalationStep {
  organisation: string;
  acknowledgeWithinSeconds?: number;
}

/** An Alert entity in keyValues form, as `/api/v1/alerts` and the event stream send it. */
export interface Alert {
  id: string;
  type: 'Alert';
  category?: string;
  subCategory?: string;
  severity: Severity;
  description?: string;
  descriptionZh?: string;
  alertSource?: string;
  location?: Geometry;
  dateIssued: string;
  /** When the condition began, and when the alert was resolved. */
  validFrom?: string;
  validTo?: string;
  status: AlertStatus;
  areaServed?: string;
  refDistrict?: string;
  refCommunity?: string;
  rule?: string;
  evidence?: Evidence[];
  /** When the rule last held again (a repeated raise refreshes the open alert). */
  lastSeen?: string;
  occurrences?: number;
  /** Who must act now: the organisation of the current escalation level. */
  responsibleOrganisation?: string;
  escalationLevel?: number;
  escalationChain?: EscalationStep[];
  /** The deadline of the current level to acknowledge; absent once acknowledged. */
  acknowledgeBy?: string;
  /** The organisation it was assigned to. */
  assignee?: string;
  participants?: string[];
  incident?: string;
  history?: HistoryEntry[];
  comments?: AlertComment[];
}

/** Which entities a rule reads. */
export interface RuleSelect {
  entityType: string;
  area?: string;
}

/** A rule as `/api/v1/rules` lists it (only the fields the cockpit reads; kinds differ). */
export interface Rule {
  id: string;
  kind?: string;
  name?: string;
  status?: 'draft' | 'active' | 'paused';
  severity?: Severity;
  category?: string;
  subCategory?: string;
  select?: RuleSelect;
  attribute?: string;
  operator?: string;
  value?: unknown;
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** The configured city's first view. */
export interface CityInfo {
  name: string;
  /** The city's name in Chinese, when the server knows it. */
  nameZh?: string;
  center: [number, number];
  bbox?: [number, number, number, number];
  defaultZoom?: number;
}

/** `/health` answer. */
export interface Health {
  status: string;
  live?: boolean;
  ready?: boolean;
  checks?: Record<string, unknown>;
  authMode?: string;
}

/** `entity` server-sent event payload. */
export interface EntityEvent {
  id: string;
  type: string;
  kind?: string;
  entity?: KeyValuesEntity;
}
