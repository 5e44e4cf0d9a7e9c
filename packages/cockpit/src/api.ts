import type { Alert, CityInfo, Health, KeyValuesEntity, Rule } from './model.js';
import type {
  AccessLogPage,
  AccessRecord,
  Dataset,
  Grant,
  GrantAction,
  GrantRequest,
  Me,
  Organisation,
  Purpose,
} from './sharing/sharing-model.js';

export { openEventStream, type ConnectionState, type EventStream } from './event-stream.js';

/** A failed HTTP call: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  /** The server's own explanation (ProblemDetails `detail`), to show to the user as is. */
  readonly detail: string | undefined;

  /** Builds the error for an HTTP status (0: network failure). */
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions & { detail?: string },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.detail = options?.detail;
  }
}

/** Options of the API client. */
export interface ApiClientOptions {
  token: string;
  /** Why the user reads (`Citybrain-Purpose`); a non-operator reads others' data only with one. */
  purpose?: Purpose;
  /** Called once per refused call (401), e.g. to return to the login card. */
  onUnauthorized?: () => void;
  baseUrl?: string;
}

/** One temporal attribute in `temporalValues` form: `[value, observedAt]` pairs. */
export type TemporalValues = [unknown, string][];

/** Which values of an attribute's history to read: the last N, or those of a period. */
export type TemporalRange = { lastN: number } | { from: string; to: string; lastN?: number };

/** How one call is made. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A JSON body. */
  body?: unknown;
  /** A body sent as it is, with its content type (a rule in YAML). */
  text?: { contentType: string; body: string };
  headers?: Record<string, string>;
  /** Never log out, and read the body of any answer (`/health`). */
  lenient?: boolean;
  /** A 404 answers `undefined` instead of failing (an endpoint an older server lacks). */
  optional?: boolean;
}

/** What `send` answers: the JSON body (undefined when empty) and the response headers. */
export interface ApiAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Which page of the access log to read. */
export interface AccessLogQuery {
  limit: number;
  /** Records older than this seq (the `next` of the page before). */
  before?: number;
  /** Leave out the owner organisation's own reads. */
  others?: boolean;
}

/** Typed client of the citybrain HTTP API. */
export interface ApiClient {
  readonly token: string;
  /** The purpose every call states, if any (the event stream states it too). */
  readonly purpose: Purpose | undefined;
  city(): Promise<CityInfo>;
  health(): Promise<Health>;
  alerts(limit: number): Promise<Alert[]>;
  rules(): Promise<Rule[]>;
  /** All entities of the given types in keyValues form, paging through `limit=1000`. */
  entities(types: readonly string[]): Promise<KeyValuesEntity[]>;
  temporal(id: string, attr: string, range: TemporalRange): Promise<TemporalValues>;
  /** One entity in normalized form (for unit codes and observation times). */
  entity(id: string): Promise<Record<string, unknown>>;
  /** Who is signed in; the operator when the server does not say (no `/api/v1/me`). */
  me(): Promise<Me>;
  organisations(): Promise<Organisation[]>;
  datasets(): Promise<Dataset[]>;
  /** The grants the caller may see: its organisation's (all for the operator). */
  grants(): Promise<Grant[]>;
  /** Asks a dataset's owner for a grant; resolves with the requested grant. */
  requestGrant(request: GrantRequest): Promise<Grant>;
  /** Approves, rejects or revokes a grant; resolves with the changed grant. */
  changeGrant(id: string, action: GrantAction): Promise<Grant>;
  /** The grant as an ODRL 2.2 Agreement (JSON-LD). */
  grantOdrl(id: string): Promise<Record<string, unknown>>;
  /** Who read the caller's data, one page, newest first; undefined when the server keeps no such log. */
  accessLog(query: AccessLogQuery): Promise<AccessLogPage | undefined>;
  /** Any call of the API, for the typed clients built on this one (command and dispatch). */
  send(path: string, options?: RequestOptions): Promise<ApiAnswer>;
  /** A file the API serves only with the token (a task's photo), as a Blob. */
  blob(path: string): Promise<Blob>;
}

const PAGE = 1000;

/** Creates the API client for one token (and the purpose its user states). */
export function createApiClient(opts: ApiClientOptions): ApiClient {
  const base = opts.baseUrl ?? '';

  async function call(path: string, o: RequestOptions = {}): Promise<Response | undefined> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${opts.token}`,
      Accept: 'application/json',
      ...o.headers,
    };
    if (opts.purpose !== undefined) headers['Citybrain-Purpose'] = opts.purpose;
    // No content type without a body: the server refuses an empty JSON body.
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    if (o.text) headers['Content-Type'] = o.text.contentType;
    let res: Response;
    try {
      res = await fetch(base + path, {
        method: o.method ?? 'GET',
        headers,
        body: o.text ? o.text.body : o.body === undefined ? undefined : JSON.stringify(o.body),
      });
    } catch (cause) {
      throw new ApiError(0, `cannot reach the server (${path})`, { cause });
    }
    // Lenient calls (/health) never log out: they are not part of the authenticated API.
    if (res.status === 401 && !o.lenient) {
      opts.onUnauthorized?.();
      throw new ApiError(401, 'token refused');
    }
    if (res.status === 404 && o.optional) return undefined;
    if (!res.ok && !o.lenient) {
      const detail = await problemDetail(res);
      throw new ApiError(res.status, detail ?? `${path} answered ${res.status}`, { detail });
    }
    return res;
  }

  async function send(path: string, o: RequestOptions = {}): Promise<ApiAnswer> {
    const res = await call(path, o);
    if (!res) return { status: 404, body: undefined, headers: new Headers() };
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  const request = async (path: string, o: RequestOptions = {}): Promise<unknown> =>
    (await send(path, o)).body;

  return {
    token: opts.token,
    purpose: opts.purpose,
    city: async () => (await request('/api/v1/city')) as CityInfo,
    // /health answers 503 with the same body while not ready: still worth showing.
    health: async () => (await request('/health', { lenient: true })) as Health,
    alerts: async (limit) =>
      listOf<Alert>(await request(`/api/v1/alerts?limit=${limit}`), 'alerts'),
    rules: async () => listOf<Rule>(await request('/api/v1/rules'), 'rules'),
    async entities(types) {
      const out: KeyValuesEntity[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const q = new URLSearchParams({
          type: types.join(','),
          options: 'keyValues',
          limit: String(PAGE),
          offset: String(offset),
        });
        const page = listOf<KeyValuesEntity>(
          await request(`/ngsi-ld/v1/entities?${q}`),
          'entities',
        );
        out.push(...page);
        if (page.length < PAGE) return out;
      }
    },
    entity: async (id) =>
      (await request(`/ngsi-ld/v1/entities/${encodeURIComponent(id)}`)) as Record<string, unknown>,
    async temporal(id, attr, range) {
      const q = new URLSearchParams({ attrs: attr, options: 'temporalValues' });
      if ('from' in range) {
        q.set('timerel', 'between');
        q.set('timeAt', range.from);
        q.set('endTimeAt', range.to);
      }
      if (range.lastN !== undefined) q.set('lastN', String(range.lastN));
      const body = (await request(
        `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?${q}`,
      )) as Record<string, unknown>;
      const values = (body[attr] as { values?: unknown } | undefined)?.values;
      return Array.isArray(values) ? (values as TemporalValues) : [];
    },
    me: async () =>
      ((await request('/api/v1/me', { optional: true })) as Me | undefined) ?? OPERATOR,
    organisations: async () =>
      listOf<Organisation>(await request('/api/v1/organisations'), 'organisations'),
    datasets: async () => listOf<Dataset>(await request('/api/v1/datasets'), 'datasets'),
    grants: async () => listOf<Grant>(await request('/api/v1/grants'), 'grants'),
    requestGrant: async (body) =>
      (await request('/api/v1/grants', { method: 'POST', body })) as Grant,
    changeGrant: async (id, action) =>
      (await request(`/api/v1/grants/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
      })) as Grant,
    grantOdrl: async (id) =>
      (await request(`/api/v1/grants/${encodeURIComponent(id)}/odrl`)) as Record<string, unknown>,
    async accessLog({ limit, before, others }) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (before !== undefined) q.set('before', String(before));
      if (others) q.set('others', 'true');
      const body = await request(`/api/v1/access-log?${q}`, { optional: true });
      if (body === undefined) return undefined;
      const next = (body as { next?: unknown }).next;
      return {
        records: listOf<unknown>(body, 'records').map(flatRecord),
        ...(typeof next === 'number' && { next }),
      };
    },
    send,
    async blob(path) {
      const res = await call(path, { headers: { Accept: '*/*' } });
      if (!res) throw new ApiError(404, `${path} answered 404`);
      return res.blob();
    },
  };
}

/** Who a server without `/api/v1/me` is taken to have signed in: the operator. */
const OPERATOR: Me = { kind: 'operator', subject: 'operator', roles: ['admin'] };

/** The `detail` of a ProblemDetails answer, if the body is one. */
async function problemDetail(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { detail?: unknown } | null;
    return typeof body?.detail === 'string' && body.detail ? body.detail : undefined;
  } catch {
    return undefined; // not JSON: the status says enough
  }
}

/** An access record flat, whether the server nests the audit entry (`{seq, entry}`) or not. */
function flatRecord(raw: unknown): AccessRecord {
  const r = raw as AccessRecord & { entry?: Omit<AccessRecord, 'seq'> };
  return r.entry ? { ...r.entry, seq: r.seq } : r;
}

/** Accepts a bare array or an object wrapping one under `key`. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const inner = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}
