import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearerToken, CityError } from '../../core/index.js';
import { sendProblem } from './error-handler.js';

/** How requests are authenticated. */
export interface AuthOptions {
  mode: 'token' | 'none';
  adminToken: string;
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

/** Paths that authenticate otherwise or need no authentication. */
function isOpen(path: string): boolean {
  if (path.startsWith('/api/v1/ingest/')) return true; // device credentials, checked by the route
  return !path.startsWith('/api/') && !path.startsWith('/ngsi-ld/');
}

/** Requires the operator token on every API call (Bearer header; `access_token` for event streams). */
export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  if (options.mode === 'none') return;
  const matches = tokenMatcher(options.adminToken);
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
    const given = header ?? query;
    if (given && matches(given.trim())) return done();
    void reply.header('WWW-Authenticate', 'Bearer realm="citybrain"');
    void sendProblem(
      request,
      reply,
      new CityError(
        'Unauthorized',
        given ? 'the token is not valid' : 'this API needs Authorization: Bearer <token>',
      ),
    );
  });
}
