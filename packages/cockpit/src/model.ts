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

/** Lifecycle status of an alert. */
export type AlertStatus = 'raised' | 'resolved';

/** One data point that made a rule fire. */
export interface Evidence {
  observedAt: string;
  value: unknown;
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
  status: AlertStatus;
  areaServed?: string;
  rule?: string;
  evidence?: Evidence[];
}

/** A rule as `/api/v1/rules` lists it (only the fields the cockpit reads). */
export interface Rule {
  id: string;
  name?: string;
  entityType?: string;
  attribute?: string;
  operator?: string;
  value?: unknown;
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
