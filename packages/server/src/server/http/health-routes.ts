import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** A readiness check of one part of the node. */
export type HealthCheck = () => Promise<boolean> | boolean;

/** What /health and /metrics need. */
export interface HealthOptions {
  checks: Record<string, HealthCheck>;
  authMode: 'token' | 'none';
  registry: Registry;
}

/** `/health` (liveness and readiness), `/health/live`, `/health/ready` and `/metrics`. */
export function installHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const tags = ['Operations'];
  const readiness = async () => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(options.checks)) {
      try {
        checks[name] = await check();
      } catch {
        checks[name] = false;
      }
    }
    return { ready: Object.values(checks).every(Boolean), checks };
  };
  app.get(
    '/health',
    { schema: { tags, summary: 'Liveness, readiness and warnings' } },
    async (_req, reply) => {
      const { ready, checks } = await readiness();
      const warnings =
        options.authMode === 'none' ? ['authentication is OFF: every API call is allowed'] : [];
      return reply.code(ready ? 200 : 503).send({
        status: ready ? (warnings.length ? 'degraded' : 'ok') : 'unavailable',
        live: true,
        ready,
        checks,
        authMode: options.authMode,
        warnings,
      });
    },
  );
  app.get('/health/live', { schema: { tags } }, () => ({ live: true }));
  app.get('/health/ready', { schema: { tags } }, async (_req, reply) => {
    const { ready, checks } = await readiness();
    return reply.code(ready ? 200 : 503).send({ ready, checks });
  });
  app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics' } }, async (_req, reply) =>
    reply.type(options.registry.contentType).send(await options.registry.metrics()),
  );
}
