/** A type expression (clause 4.17): names joined by `,`/`|` (or), `;` (and), with parentheses. */
export type TypeExpression =
  | { kind: 'type'; name: string }
  | { kind: 'and'; terms: TypeExpression[] }
  | { kind: 'or'; terms: TypeExpression[] };
