import { connect } from 'node:net';
import { defineConfig } from 'vitest/config';

const POSTGRES = process.env.CITYBRAIN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers: the NGSI-LD conformance suite then runs on it as well. */
function postgresReachable(): Promise<boolean> {
  const { hostname, port } = new URL(POSTGRES);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 5432) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// CITYBRAIN_REQUIRE_SERVICES=1 (CI) runs the PostgreSQL project whatever happens, so a
// missing server fails the run instead of silently skipping half of the conformance suite.
const onPostgres = process.env.CITYBRAIN_REQUIRE_SERVICES === '1' || (await postgresReachable());
if (!onPostgres)
  process.stderr.write(
    `SKIPPED: PostgreSQL is not reachable at ${POSTGRES}; the NGSI-LD conformance suite runs on SQLite only\n`,
  );

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'citybrain',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/tests/**/*.test.ts'],
        },
      },
      ...(onPostgres
        ? [
            {
              test: {
                ...shared,
                name: 'conformance-postgres',
                include: ['packages/server/tests/conformance/**/*.test.ts'],
                env: { CITYBRAIN_TEST_STORE: 'postgres', CITYBRAIN_TEST_POSTGRES: POSTGRES },
              },
            },
          ]
        : []),
    ],
  },
});
