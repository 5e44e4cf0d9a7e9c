import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import type { HistoryEntry } from '../alerts/alert-model.js';
import type { Versioned } from './doc-version.js';

/** Where an incident is in its lifecycle. */
export type IncidentStatus = 'open' | 'resolved' | 'closed';

/** Related alerts (same category and area, close in time) handled as one. */
export interface Incident extends Versioned {
  /** `urn:ngsi-ld:Incident:<uuid>`. */
  id: string;
  type: 'Incident';
  title: string;
  category: string;
  subCategory?: string;
  /** The area of its first alert (areaServed, else refDistrict, else refCommunity). */
  area: string;
  /** The highest severity of its alerts. */
  severity: string;
  status: IncidentStatus;
  /** Alert ids, in the order they joined. */
  alerts: string[];
  /** The commander: the organisation leading the response (first alert's responsible one). */
  responsibleOrganisation?: string;
  /** Organisations that see it: the commander, its alerts' responsible ones, its tasks' assignees. */
  participants: string[];
  /** ISO 8601. */
  createdAt: string;
  modifiedAt: string;
  /** Event time of its newest alert: the grouping window runs from it. */
  lastAlertAt: string;
  history: HistoryEntry[];
}

/** The status changes an incident allows. */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  open: ['resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** Throws 400 with the reason when an incident may not go from one status to another. */
export function checkIncidentTransition(
  id: string,
  from: IncidentStatus,
  to: IncidentStatus,
): void {
  if (INCIDENT_TRANSITIONS[from].includes(to)) return;
  const allowed = INCIDENT_TRANSITIONS[from];
  throw new CityError(
    'BadRequestData',
    `incident ${id} is ${from}: it can go to ${allowed.length ? allowed.join(', ') : 'no other status'}, not ${to}`,
    { details: { incident: id, status: from, requested: to, allowed } },
  );
}

/** A change of an incident: status, title or commander, with a note for the history. */
export const IncidentPatchSchema = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('closed')]),
    ),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    responsibleOrganisation: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'hand command to another organisation',
      }),
    ),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

/** A change of an incident. */
export interface IncidentPatch {
  status?: IncidentStatus;
  title?: string;
  responsibleOrganisation?: string;
  note?: string;
}
