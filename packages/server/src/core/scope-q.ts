/** A parsed scopeQ expression (clause 4.19): scope paths joined by `;` (and), `,`/`|` (or). */
export type ScopeQuery =
  | {
      kind: 'scope';
      /** Path segments, e.g. ['Madrid', 'Gardens']; `+` matches one segment, a final `#` any depth. */
      segments: string[];
    }
  | { kind: 'and'; terms: ScopeQuery[] }
  | { kind: 'or'; terms: ScopeQuery[] };
