/** The JavaScript value of a q literal. */
export type QValue = number | string | boolean;

/**
 * A literal in a q comparison, tagged with how it was written: quoted strings compare as
 * strings, unquoted date-times as instants, dates and times as strings of their kind,
 * bare URIs (and other bare words) as strings (clause 4.9).
 */
export type QLiteral =
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'string' | 'uri' | 'dateTime' | 'date' | 'time'; value: string };

/** The operand of a comparison: a single value, a list (a,b,c) or a range (a..b). */
export type QOperand =
  | { kind: 'value'; value: QLiteral }
  | { kind: 'list'; values: QLiteral[] }
  | { kind: 'range'; min: QLiteral; max: QLiteral };

/** Comparison operators of the NGSI-LD query language (without the pattern operators). */
export type QOperator = '==' | '!=' | '>' | '>=' | '<' | '<=';

/**
 * A path into an entity: attribute name, sub-attributes (`a.b.c`, where a last `observedAt`,
 * `createdAt`, `modifiedAt`, `unitCode` or `datasetId` reads that member) and compound keys
 * into the value (`a[x.y]`, or `a[x][y]`).
 */
export interface QPath {
  attr: string;
  subAttrs?: string[];
  compound: string[];
}

/** A parsed q expression (NGSI-LD GS CIM 009 clause 4.9). */
export type QExpression =
  | { kind: 'and'; terms: QExpression[] }
  | { kind: 'or'; terms: QExpression[] }
  | { kind: 'exists'; path: QPath }
  | { kind: 'compare'; path: QPath; op: QOperator; operand: QOperand }
  | { kind: 'pattern'; path: QPath; negated: boolean; pattern: string; flags: string };

/** Members of an attribute instance that a path may read like a sub-attribute. */
export const Q_META_MEMBERS: ReadonlySet<string> = new Set([
  'observedAt',
  'createdAt',
  'modifiedAt',
  'unitCode',
  'datasetId',
]);

/** An unquoted date-time literal (the zone is optional; a missing zone is UTC). */
export const Q_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** An unquoted date literal. */
export const Q_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An unquoted time literal. */
export const Q_TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch of an ISO date-time; a missing zone is UTC, not local time. */
export function qInstant(text: string): number {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  return Date.parse(zoned.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
