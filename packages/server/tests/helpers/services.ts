import { connect } from 'node:net';

/**
 * The external services tests of the scale-out adapters talk to, with the addresses of this
 * machine (see ARCHITECTURE.md); each can be moved with its environment variable.
 */
export const SERVICES = {
  postgres: process.env.CITYBRAIN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test',
  nats: process.env.CITYBRAIN_TEST_NATS ?? 'nats://127.0.0.1:4222',
  mosquitto: process.env.CITYBRAIN_TEST_MQTT ?? 'mqtt://127.0.0.1:1883',
} as const;

export type ServiceName = keyof typeof SERVICES;

/** True when the run must fail, not skip, where a service is missing (`.ci/run` sets it). */
export const servicesRequired = process.env.CITYBRAIN_REQUIRE_SERVICES === '1';

function reachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const checked = new Map<ServiceName, Promise<boolean>>();

/**
 * Whether a service answers on its port. When it does not: with CITYBRAIN_REQUIRE_SERVICES=1
 * this throws (the test file fails and says why); otherwise it prints why the tests that need
 * it are skipped and answers false. Use at the top of a test file:
 *
 *     const pg = await serviceAvailable('postgres');
 *     describe.skipIf(!pg)('…', () => { … });
 */
export async function serviceAvailable(name: ServiceName): Promise<boolean> {
  let check = checked.get(name);
  if (!check) {
    check = reachable(SERVICES[name]);
    checked.set(name, check);
  }
  if (await check) return true;
  const message = `${name} is not reachable at ${SERVICES[name]}`;
  if (servicesRequired)
    throw new Error(`${message}, and CITYBRAIN_REQUIRE_SERVICES=1 requires it: start it first`);
  process.stderr.write(
    `SKIPPED: ${message}; the tests that need it do not run (start it to run them)\n`,
  );
  return false;
}
