import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { expect } from 'vitest';
import {
  MATRIX,
  openCommandFixture,
  pm25Raise,
  sensor,
  T0,
  type CommandFixture,
} from '../../brain/command/test-fixture.js';
import type { Bus } from '../../bus/index.js';
import { OPEN_ACCESS, type AccessGuard } from '../../ngsi-ld/index.js';
import { Auditor, AuditSigningKey, OPERATOR, type Principal } from '../../sharing/index.js';
import type { AuditEntry, AuditStore } from '../../store/index.js';
import { STRICT_BODIES } from './build-app.js';
import { installCommandRoutes } from './command-routes.js';
import { installErrorHandler } from './error-handler.js';
import { installEventsRoute } from './events-route.js';

/** Test callers, named by the bearer token they present. */
export const CALLERS: Record<string, Principal> = {
  operator: OPERATOR,
  'env-xihu': member('env-xihu', ['dispatcher']),
  'env-xihu-analyst': member('env-xihu', ['analyst']),
  'env-city': member('env-city', ['dispatcher']),
  lingyin: member('lingyin', ['responder']),
  police: member('police', ['admin']),
};

function member(organisation: string, roles: string[]): Principal {
  return { kind: 'user', subject: `${organisation}-user`, organisation, roles, via: 'oidc' };
}

/** No sharing policy: the stream's entity and alert frames are not what these tests look at. */
const NO_POLICY: AccessGuard = {
  open: () => Promise.resolve(OPEN_ACCESS),
  forSubscriber: () => Promise.resolve(OPEN_ACCESS),
  ownerOf: () => undefined,
};

/** A real auditor (an Ed25519 key in a temporary file) over an audit store. */
export interface TestAuditor {
  auditor: Auditor;
  /** Every entry of the chain so far, oldest first. */
  entries: () => Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Opens an auditor over `store` for a test. */
export function openTestAuditor(store: AuditStore): TestAuditor {
  const dir = mkdtempSync(join(tmpdir(), 'cb-audit-key-'));
  const auditor = new Auditor({
    store,
    key: AuditSigningKey.loadOrCreate(join(dir, 'audit.key')),
    logger: pino({ level: 'silent' }),
  });
  return {
    auditor,
    entries: async () => (await store.read(1, 100_000)).map((r) => r.entry),
    async close() {
      await auditor.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Fastify app as build-app makes it (error handler first), with a test authenticator: the
 * bearer token (or `access_token`, as event streams send it) names one of CALLERS.
 */
export function testApp(): FastifyInstance {
  const app = Fastify({
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    ajv: { customOptions: STRICT_BODIES },
  });
  installErrorHandler(app);
  app.addHook('onRequest', (request, _reply, done) => {
    const query = request.query as Record<string, string | undefined>;
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? query.access_token;
    if (token !== undefined) request.principal = CALLERS[token];
    done();
  });
  return app;
}

/** Installs the event stream of a node on `bus`, frames recorded by `auditor`. */
export function installTestEvents(app: FastifyInstance, bus: Bus, auditor: Auditor) {
  return installEventsRoute(app, { bus, access: NO_POLICY, audit: auditor, entityIntervalMs: 50 });
}

/** The command routes and the event stream on a real SQLite store, the memory bus and a driven clock. */
export interface CommandTestApp extends CommandFixture, Omit<TestAuditor, 'close'> {
  app: FastifyInstance;
  /** A request as one of CALLERS. */
  call(
    who: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

/** Builds the app as build-app does, with a real auditor over the store's audit chain. */
export async function startCommandTestApp(): Promise<CommandTestApp> {
  const fixture = await openCommandFixture();
  const audit = openTestAuditor(fixture.store.audit);
  const app = testApp();
  installCommandRoutes(app, { command: fixture.command, audit: audit.auditor });
  await installTestEvents(app, fixture.bus, audit.auditor);
  await app.ready();
  return {
    ...fixture,
    app,
    auditor: audit.auditor,
    entries: audit.entries,
    call: (who, method, url, body) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${who}` },
        ...(body !== undefined && { payload: body as Record<string, unknown> }),
      }),
    async close() {
      await app.close();
      await audit.close();
      await fixture.close();
    },
  };
}

/** Puts the fixture's responsibility matrix through the routes, as the operator. */
export async function putMatrix(t: CommandTestApp): Promise<void> {
  for (const row of MATRIX) {
    const res = await t.call('operator', 'PUT', `/api/v1/responsibility/${row.id}`, row);
    expect(res.statusCode).toBe(204);
  }
}

/** Raises a PM2.5 alert from sensor `local` in Xihu at `at`: its id and its incident's. */
export async function raiseInXihu(t: CommandTestApp, local = 'a1', at = T0) {
  const alert = await t.command.alerts.raise(pm25Raise(sensor(local), at));
  return { alertId: alert.id, incidentId: (alert.incident as { object: string }).object };
}

/** The URL path of an id. */
export const enc = encodeURIComponent;
