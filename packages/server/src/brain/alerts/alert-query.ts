import { qLiteral, type Entity, type QExpression } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Actor } from '../command/actor.js';
import { iso, valueOf } from './alert-model.js';
import { seesAlert } from './alert-visibility.js';

/** Filters of an alert listing; all are ANDed, lists are ORed within. */
export interface AlertFilter {
  status?: readonly string[];
  severity?: readonly string[];
  category?: string;
  /** A district or community: areaServed, refDistrict or refCommunity. */
  area?: string;
  /** The responsible organisation. */
  responsible?: string;
  /** Only alerts whose acknowledge deadline is at or before this time, epoch ms. */
  acknowledgeBy?: number;
}

const PAGE = 1000;

const attrPath = (attr: string) => ({ attr, compound: [] });

function equals(attr: string, values: readonly string[]): QExpression {
  return values.length === 1
    ? {
        kind: 'compare',
        path: attrPath(attr),
        op: '==',
        operand: { kind: 'value', value: qLiteral(values[0]!) },
      }
    : {
        kind: 'compare',
        path: attrPath(attr),
        op: '==',
        operand: { kind: 'list', values: values.map((v) => qLiteral(v)) },
      };
}

/** The q expression of a filter; undefined when it filters nothing. */
export function alertQ(filter: AlertFilter): QExpression | undefined {
  const terms: QExpression[] = [];
  if (filter.status?.length) terms.push(equals('status', filter.status));
  if (filter.severity?.length) terms.push(equals('severity', filter.severity));
  if (filter.category) terms.push(equals('category', [filter.category]));
  if (filter.responsible) terms.push(equals('responsibleOrganisation', [filter.responsible]));
  if (filter.acknowledgeBy !== undefined)
    terms.push({
      kind: 'compare',
      path: attrPath('acknowledgeBy'),
      op: '<=',
      operand: { kind: 'value', value: { type: 'dateTime', value: iso(filter.acknowledgeBy) } },
    });
  if (filter.area)
    terms.push({
      kind: 'or',
      terms: ['areaServed', 'refDistrict', 'refCommunity'].map((a) => equals(a, [filter.area!])),
    });
  if (terms.length === 0) return undefined;
  return terms.length === 1 ? terms[0] : { kind: 'and', terms };
}

const issued = (e: Entity) => {
  const v = valueOf(e, 'dateIssued');
  return typeof v === 'string' ? v : '';
};

/**
 * Alerts matching a filter that the actor sees (every one for undefined), newest issued first.
 * Alert ids end with the breach start, not the issue time: sorted on dateIssued, then id.
 */
export async function findAlerts(
  store: Store,
  filter: AlertFilter,
  actor?: Actor,
): Promise<Entity[]> {
  const q = alertQ(filter);
  const out: Entity[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.entities.query({
      types: { kind: 'type', name: 'Alert' },
      ...(q && { q }),
      limit: PAGE,
      offset,
    });
    for (const e of page.entities) if (!actor || seesAlert(actor, e)) out.push(e);
    if (page.entities.length < PAGE) break;
  }
  return out.sort((a, b) => issued(b).localeCompare(issued(a)) || a.id.localeCompare(b.id));
}
