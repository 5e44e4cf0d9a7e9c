/** Who made a request, as authentication established it. */
export interface Principal {
  /** The operator (admin token), a person (OIDC), or a system (API key). */
  kind: 'operator' | 'user' | 'system';
  /** A stable id: the token's `sub`, the API key's id, or `operator`. */
  subject: string;
  /** The organisation acted for (a department, a community, an enterprise). */
  organisation?: string;
  /** Roles within it, e.g. `admin`, `owner`, `analyst`. */
  roles: string[];
  /** How it was established. */
  via: 'admin-token' | 'oidc' | 'api-key' | 'anonymous';
}

/** The operator: the holder of the node's admin token. */
export const OPERATOR: Readonly<Principal> = Object.freeze({
  kind: 'operator',
  subject: 'operator',
  roles: ['admin'],
  via: 'admin-token',
});

/** Whoever reads without a token, where public data may be read so (`auth.publicReads`). */
export const PUBLIC_READER: Readonly<Principal> = Object.freeze({
  kind: 'user',
  subject: 'anonymous',
  roles: [],
  via: 'anonymous',
});
