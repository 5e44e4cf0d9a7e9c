import type { Alert, CityInfo, Health, KeyValuesEntity, Rule } from './model.js';

export { openEventStream, type ConnectionState, type EventStream } from './event-stream.js';

/** A failed HTTP call: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  /** Builds the error for an HTTP status (0: network failure). */
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** Options of the API client. */
export interface ApiClientOptions {
  token: string;
  /** Called once per refused call (401), e.g. to return to the login card. */
  onUnauthorized?: () => void;
  baseUrl?: string;
}

/** One temporal attribute in `temporalValues` form: `[value, observedAt]` pairs. */
export type TemporalValues = [unknown, string][];

/** Typed client of the citybrain HTTP API. */
export interface ApiClient {
  readonly token: string;
  city(): Promise<CityInfo>;
  health(): Promise<Health>;
  alerts(limit: number): Promise<Alert[]>;
  rules(): Promise<Rule[]>;
  /** All entities of the given types in keyValues form, paging through `limit=1000`. */
  entities(types: readonly string[]): Promise<KeyValuesEntity[]>;
  temporal(id: string, attr: string, lastN: number): Promise<TemporalValues>;
  /** One entity in normalized form (for unit codes and observation times). */
  entity(id: string): Promise<Record<string, unknown>>;
}

const PAGE = 1000;

/** Creates the API client for one operator token. */
export function createApiClient(opts: ApiClientOptions): ApiClient {
  const base = opts.baseUrl ?? '';

  async function request(path: string, lenient = false): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(base + path, {
        headers: { Authorization: `Bearer ${opts.token}`, Accept: 'application/json' },
      });
    } catch (cause) {
      throw new ApiError(0, `cannot reach the server (${path})`, { cause });
    }
    // Lenient calls (/health) never log out: they are not part of the authenticated API.
    if (res.status === 401 && !lenient) {
      opts.onUnauthorized?.();
      throw new ApiError(401, 'token refused');
    }
    if (!res.ok && !lenient) throw new ApiError(res.status, `${path} answered ${res.status}`);
    return res.json();
  }

  return {
    token: opts.token,
    city: async () => (await request('/api/v1/city')) as CityInfo,
    // /health answers 503 with the same body while not ready: still worth showing.
    health: async () => (await request('/health', true)) as Health,
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
    async temporal(id, attr, lastN) {
      const q = new URLSearchParams({
        attrs: attr,
        options: 'temporalValues',
        lastN: String(lastN),
      });
      const body = (await request(
        `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?${q}`,
      )) as Record<string, unknown>;
      const values = (body[attr] as { values?: unknown } | undefined)?.values;
      return Array.isArray(values) ? (values as TemporalValues) : [];
    },
  };
}

/** Accepts a bare array or an object wrapping one under `key`. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const inner = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}
