import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearerToken, CityError } from '../../core/index.js';
import { sendProblem } from './error-handler.js';

/** How requests are authenticated. */
export interface AuthOptions {
  mode: 'token' | 'none';
  adminToken: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Paths that authenticate otherwise or need no authentication. */
function isOpen(path: string): boolean {
  if (path.startsWith('/api/v1/ingest/')) return true; // device credentials, checked by the route
  return !path.startsWith('/api/') && !path.startsWith('/ngsi-ld/');
}

/** Requires the operator token on every API call (Bearer header; `access_token` for event streams). */
export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  if (options.mode === 'none') return;
  const expected = digest(options.adminToken);
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '';
    if (isOpen(path)) return done();
    const header = bearerToken(request.headers.authorization);
    const query =
      path === '/api/v1/events'
        ? new URL(request.url, 'http://x').searchParams.get('access_token')
        : null;
    const given = header ?? query;
    if (given && timingSafeEqual(digest(given.trim()), expected)) return done();
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
