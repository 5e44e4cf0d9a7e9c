import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, CityError } from '../../core/index.js';
import {
  OPERATOR,
  PUBLIC_READER,
  type Authenticator,
  type Principal,
} from '../../sharing/index.js';
import { sendProblem } from './error-handler.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request (absent on open paths and with `auth.mode: none`). */
    principal?: Principal;
  }
}

/** Who made a request; with `auth.mode: none` the operator, as the node said at start. */
export function principalOf(request: FastifyRequest): Principal {
  return request.principal ?? ANONYMOUS_OPERATOR;
}

const ANONYMOUS_OPERATOR: Principal = Object.freeze({ ...OPERATOR, subject: 'anonymous' });

/** How requests are authenticated. */
export interface AuthOptions {
  mode: 'token' | 'none';
  adminToken: string;
  /** Requests without a token may read public datasets through the NGSI-LD API. */
  publicReads?: boolean;
  /** API keys and OIDC tokens besides the admin token; the admin token only without it. */
  authenticator?: Authenticator;
}

/**
 * A constant-time check of a presented token against the expected one, without hashing on
 * every request: the token is written into a scratch buffer of the expected length (cut or
 * zero-padded), so the comparison takes the same time whatever is presented; its length is
 * checked only after.
 */
export function tokenMatcher(expectedToken: string): (given: string) => boolean {
  const expected = Buffer.from(expectedToken, 'utf8');
  const scratch = Buffer.alloc(expected.length);
  return (given) => {
    scratch.fill(0);
    const written = scratch.write(given, 'utf8');
    const same = timingSafeEqual(scratch, expected);
    return same && written === expected.length && Buffer.byteLength(given, 'utf8') === written;
  };
}

/** NGSI-LD reads that the sharing policy answers with public data only for a caller without a token. */
function isPublicRead(method: string, path: string): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    path.startsWith('/ngsi-ld/v1/') &&
    !path.startsWith('/ngsi-ld/v1/subscriptions')
  );
}

/** Paths that authenticate otherwise or need no authentication. */
function isOpen(path: string): boolean {
  if (path.startsWith('/api/v1/ingest/')) return true; // device credentials, checked by the route
  return !path.startsWith('/api/') && !path.startsWith('/ngsi-ld/');
}

/**
 * Authenticates every API call (Bearer header; `access_token` for event streams): the
 * operator's admin token, an API key or an OIDC access token. The principal goes on the
 * request; a refusal is a 401 ProblemDetails that says why.
 */
export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  if (options.mode === 'none') return;
  const matches = tokenMatcher(options.adminToken);
  const refuse = (request: FastifyRequest, reply: FastifyReply, err: CityError) => {
    void reply.header('WWW-Authenticate', 'Bearer realm="citybrain"');
    void sendProblem(request, reply, err);
  };
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (isOpen(path)) return done();
    const header = bearerToken(request.headers.authorization);
    const query =
      path === '/api/v1/events'
        ? new URL(request.url, 'http://x').searchParams.get('access_token')
        : null;
    const given = (header ?? query)?.trim();
    if (!given && options.publicReads && isPublicRead(request.method, path)) {
      request.principal = PUBLIC_READER;
      return done();
    }
    if (!given)
      return refuse(
        request,
        reply,
        new CityError('Unauthorized', 'this API needs Authorization: Bearer <token>'),
      );
    // The operator's token is checked without a promise: it is the hot path of the benchmarks.
    if (matches(given)) {
      request.principal = OPERATOR;
      return done();
    }
    if (!options.authenticator)
      return refuse(request, reply, new CityError('Unauthorized', 'the token is not valid'));
    options.authenticator.authenticate(given).then(
      (principal) => {
        request.principal = principal;
        done();
      },
      (err: unknown) =>
        refuse(
          request,
          reply,
          // A refusal says why; an issuer that cannot be reached is a 503, not the caller's fault.
          err instanceof CityError
            ? err
            : new CityError('Unauthorized', 'the token could not be verified', { cause: err }),
        ),
    );
  });
}
