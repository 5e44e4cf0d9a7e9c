// The data-sharing API's shapes, as the server sends them (packages/server/src/sharing).

/** Why data may be read: the server's controlled list (`PURPOSES`). */
export const PURPOSES = [
  'epidemic-control',
  'traffic-management',
  'public-safety',
  'public-service',
  'environmental-protection',
  'emergency-response',
  'urban-planning',
  'research',
] as const;
/** One purpose. */
export type Purpose = (typeof PURPOSES)[number];

/** How sensitive a dataset is, least to most. */
export const CLASSIFICATIONS = ['public', 'internal', 'personal', 'sensitive'] as const;
/** One classification. */
export type Classification = (typeof CLASSIFICATIONS)[number];

/** What an assignee may be forbidden to do with the data. */
export const PROHIBITIONS = ['re-identification', 'redistribution', 'commercial-use'] as const;
/** One prohibition. */
export type Prohibition = (typeof PROHIBITIONS)[number];

/** Who is signed in (`GET /api/v1/me`). */
export interface Me {
  kind: 'operator' | 'user' | 'system';
  subject: string;
  organisation?: string;
  roles: string[];
}

/** A department, community or enterprise that owns or receives data. */
export interface Organisation {
  id: string;
  name: { en: string; zh?: string };
  kind: 'department' | 'community' | 'enterprise';
}

/** A dataset with its owner and classification. */
export interface Dataset {
  id: string;
  owner: string;
  classification: Classification;
  title?: string;
}

/** An obligation of the assignee. */
export type Duty = { action: 'delete'; afterDays: number } | { action: 'inform'; party: 'owner' };

/** A grant's status as the server derives it at the time of the call. */
export type GrantStatus = 'requested' | 'approved' | 'rejected' | 'revoked' | 'expired';

/** What a grant request carries (`GrantRequestSchema`). */
export interface GrantRequest {
  target: string;
  attributes: string[];
  rowFilter?: string;
  purpose: Purpose;
  validFrom: string;
  validUntil: string;
  duties: Duty[];
  prohibitions: Prohibition[];
  /** Only the operator names the assignee; anyone else requests for their own organisation. */
  assignee?: string;
}

/** A grant between two organisations, with its history. */
export interface Grant extends Omit<GrantRequest, 'assignee' | 'purpose' | 'prohibitions'> {
  id: string;
  assigner: string;
  assignee: string;
  /** A string, not `Purpose`: a newer server may know purposes this cockpit does not. */
  purpose: string;
  prohibitions: string[];
  status: GrantStatus;
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  revokedBy?: string;
  revokedAt?: string;
}

/** What the owner can do to a grant. */
export type GrantAction = 'approve' | 'reject' | 'revoke';

/** One access decision of the audit log: who read what, under which grants. */
export interface AccessRecord {
  seq: number;
  /** Epoch ms. */
  at: number;
  actor: string;
  organisation?: string;
  purpose?: string;
  grants?: string[];
  /** Why it was decided so (`owner`, `grant`, or the reason of a denial). */
  reason?: string;
  action: string;
  resource: string;
  owner?: string;
  result: 'allow' | 'deny';
  records: number;
}

/** One page of the access log (`GET /api/v1/access-log`), newest first. */
export interface AccessLogPage {
  records: AccessRecord[];
  /** Where the next, older page starts (its `before`); absent once the log is read to its end. */
  next?: number;
}
