/** The NGSI-LD query language (GS CIM 009 clause 4.9): AST, parser and evaluator. */
export {
  Q_META_MEMBERS,
  type QExpression,
  type QLiteral,
  type QOperand,
  type QOperator,
  type QPath,
  type QValue,
} from './q-ast.js';
export { parseQ, qAttributes, qLiteral, renameQ } from './q-parse.js';
export { matchesQ } from './q-match.js';
