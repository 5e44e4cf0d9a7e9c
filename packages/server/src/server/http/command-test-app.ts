import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { openCommandFixture, type CommandFixture } from '../../brain/command/test-fixture.js';
import { OPERATOR, type Principal } from '../../sharing/index.js';
import { installCommandRoutes } from './command-routes.js';
import { installErrorHandler } from './error-handler.js';

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

/** The command routes on a real SQLite store, the memory bus and a driven clock. */
export interface CommandTestApp extends CommandFixture {
  app: FastifyInstance;
  /** A request as one of CALLERS. */
  call(
    who: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

/** Builds the app as build-app does (error handler first), with a test authenticator. */
export async function startCommandTestApp(): Promise<CommandTestApp> {
  const fixture = await openCommandFixture();
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 } });
  installErrorHandler(app);
  app.addHook('onRequest', (request, _reply, done) => {
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (token !== undefined) request.principal = CALLERS[token];
    done();
  });
  installCommandRoutes(app, { command: fixture.command });
  await app.ready();
  return {
    ...fixture,
    app,
    call: (who, method, url, body) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${who}` },
        ...(body !== undefined && { payload: body as Record<string, unknown> }),
      }),
    async close() {
      await app.close();
      await fixture.close();
    },
  };
}

/** The URL path of an id. */
export const enc = encodeURIComponent;
