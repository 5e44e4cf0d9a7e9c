import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../src/ngsi-ld/test-harness.js';

/** Where the NGSI-LD API is mounted. */
export const BASE = '/ngsi-ld/v1';
/** Prefix of every ETSI ProblemDetails type (GS CIM 009 clause 5.5.2). */
export const ETSI_ERRORS = 'https://uri.etsi.org/ngsi-ld/errors/';
/** The NGSI-LD core @context of v1.8 (clause 5.5.7 / annex B). */
export const CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
/** Any published core @context URL (v1.8 or later, or the unversioned alias). */
export const CORE_CONTEXT_RE =
  /https:\/\/uri\.etsi\.org\/ngsi-ld\/v1\/ngsi-ld-core-context(-v1\.\d+)?\.jsonld/;
/** The relation of a JSON-LD context Link header (JSON-LD 1.1, clause 6.3.5). */
export const JSONLD_REL = 'http://www.w3.org/ns/json-ld#context';
/** The default vocabulary of the core context: terms not defined elsewhere expand under it. */
export const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

/** A JSON-LD context Link header naming `url`. */
export function link(url: string): string {
  return `<${url}>; rel="${JSONLD_REL}"; type="application/ld+json"`;
}

/** Options the conformance suite passes to the harness (extended by the API engineer). */
export interface BrokerOptions {
  preloadedContexts?: Record<string, unknown>;
  fetchContexts?: boolean;
}

/** A response as the suite inspects it. */
export interface Reply {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any;
  text: string;
}

/** Request options of NgsiClient. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as given when a string, JSON-encoded otherwise. */
  body?: unknown;
}

/** A thin HTTP client over Fastify inject, with defaults (tenant, Link) per instance. */
export class NgsiClient {
  constructor(
    readonly app: FastifyInstance,
    readonly defaults: Record<string, string> = {},
  ) {}

  /** A client that adds `headers` to every request. */
  with(headers: Record<string, string>): NgsiClient {
    return new NgsiClient(this.app, { ...this.defaults, ...headers });
  }

  /** Sends a request to BASE + path. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...this.defaults, ...options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
    const res = await this.app.inject({
      method: method as 'GET',
      url: BASE + path,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    let body: unknown;
    try {
      body = res.body.length > 0 ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers))
      flat[k.toLowerCase()] = Array.isArray(v)
        ? v.join(', ')
        : v === undefined
          ? undefined
          : `${v}`;
    return { status: res.statusCode, headers: flat, body, text: res.body };
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, { headers });
  }
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, { body, headers });
  }
  patch(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('PATCH', path, { body, headers });
  }
  put(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('PUT', path, { body, headers });
  }
  delete(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('DELETE', path, { headers });
  }
}

/** A started broker and a client for it. */
export interface Conformance {
  broker: TestBroker;
  api: NgsiClient;
  close(): Promise<void>;
}

/** Starts the NGSI-LD broker in-process (Fastify inject) with the harness. */
export async function startBroker(options: BrokerOptions = {}): Promise<Conformance> {
  const broker = await startTestBroker(options);
  return { broker, api: new NgsiClient(broker.app), close: () => broker.close() };
}

let counter = 0;
/** A fresh entity id of `type`, unique in this process. */
export function urn(type: string, label = ''): string {
  counter += 1;
  return `urn:ngsi-ld:${type}:${label}${Date.now().toString(36)}-${counter}`;
}

/** A fresh short name (entity type, attribute, tenant) unique in this process. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}x${Math.floor(Math.random() * 1e6)}`;
}

/** Asserts an ETSI ProblemDetails error (clause 5.5.3) with the given status and type. */
export function expectProblem(res: Reply, status: number, type: string): void {
  expect({ status: res.status, type: res.body?.type }, res.text).toEqual({
    status,
    type: ETSI_ERRORS + type,
  });
  expect(res.headers['content-type']).toMatch(/^application\/(problem\+)?json/);
  expect(typeof res.body.title).toBe('string');
}

/** Asserts only an HTTP status (for HTTP-level errors without an ETSI type: 406, 415). */
export function expectStatus(res: Reply, status: number): void {
  expect(res.status, res.text).toBe(status);
}

/** Ids of an array of entities, sorted (the spec fixes no order unless asked). */
export function ids(body: unknown): string[] {
  expect(Array.isArray(body), JSON.stringify(body)).toBe(true);
  return (body as { id: string }[]).map((e) => e.id).sort();
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 2000,
): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(20);
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The broker of the current test (or file), set up by useBroker. */
export interface BrokerHandle {
  readonly api: NgsiClient;
  readonly cb: Conformance;
}

/**
 * Starts a fresh broker before each test (or once per file with `scope: 'file'`) and closes
 * it afterwards.
 */
export function useBroker(
  options: BrokerOptions | (() => BrokerOptions) = {},
  scope: 'test' | 'file' = 'test',
): BrokerHandle {
  let current: Conformance | undefined;
  const start = async () => {
    current = await startBroker(typeof options === 'function' ? options() : options);
  };
  const stop = async () => {
    const c = current;
    current = undefined;
    await c?.close();
  };
  if (scope === 'test') {
    beforeEach(start);
    afterEach(stop);
  } else {
    beforeAll(start);
    afterAll(stop);
  }
  return {
    get api() {
      if (current === undefined) throw new Error('the broker did not start');
      return current.api;
    },
    get cb() {
      if (current === undefined) throw new Error('the broker did not start');
      return current;
    },
  };
}
