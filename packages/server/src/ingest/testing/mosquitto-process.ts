import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Where Debian installs the broker and its dynamic security plugin. */
export const MOSQUITTO_BINARY = process.env.CITYBRAIN_MOSQUITTO_BINARY ?? '/usr/sbin/mosquitto';
/** The dynamic security plugin the private brokers load. */
export const DYNSEC_PLUGIN =
  process.env.CITYBRAIN_MOSQUITTO_DYNSEC ??
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/**
 * True when this machine can start private Mosquitto brokers with dynamic security. When it
 * cannot: throws if `required` (CITYBRAIN_REQUIRE_SERVICES=1), else says why tests skip.
 */
export function mosquittoInstalled(required: boolean): boolean {
  if (existsSync(MOSQUITTO_BINARY) && existsSync(DYNSEC_PLUGIN)) return true;
  const why = `${MOSQUITTO_BINARY} or its plugin ${DYNSEC_PLUGIN} is not installed`;
  if (required) throw new Error(`${why}, and CITYBRAIN_REQUIRE_SERVICES=1 requires it`);
  process.stderr.write(`SKIPPED: ${why}; the tests that start Mosquitto do not run\n`);
  return false;
}

/** A broker process owned by one test file, on its own port and temp dir. */
export interface MosquittoProcess {
  readonly url: string;
  readonly port: number;
  /** The dynsec admin (created by `mosquitto_ctrl dynsec init`). */
  readonly admin: { username: string; password: string };
  /** What the broker logged so far (stderr). */
  log(): string;
  /** SIGTERM, wait for exit, remove the temp dir. */
  stop(): Promise<void>;
}

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

function config(dir: string, port: number, extra: string[]): string {
  return [
    // Running as root, Mosquitto would drop to the `mosquitto` user, which cannot read the temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings false',
    'allow_anonymous false',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    `listener ${port} 127.0.0.1`,
    `plugin ${DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${join(dir, 'dynamic-security.json')}`,
    ...extra,
    '',
  ].join('\n');
}

async function launch(dir: string, extra: string[]): Promise<MosquittoProcess | undefined> {
  const port = await freePort();
  const file = join(dir, 'mosquitto.conf');
  writeFileSync(file, config(dir, port, extra));
  const child = spawn(MOSQUITTO_BINARY, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  // A test process that dies must not leave its broker behind.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) {
      process.off('exit', reap);
      // The port was taken between freePort() and the bind: the caller retries on another.
      if (/address already in use/i.test(log)) return undefined;
      throw new Error(`mosquitto exited with ${child.exitCode}: ${log}`);
    }
    if (await listening(port)) {
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        admin: { username: '', password: '' },
        log: () => log,
        stop: async () => {
          process.off('exit', reap);
          child.kill('SIGTERM');
          await exited(child);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.off('exit', reap);
  child.kill('SIGKILL');
  await exited(child);
  throw new Error(`mosquitto did not listen on ${port} within 5 s: ${log}`);
}

/**
 * Starts a private `/usr/sbin/mosquitto` on a free loopback port, with the dynamic security
 * plugin and a fresh `dynamic-security.json` from `mosquitto_ctrl dynsec init`; `extraConfig`
 * lines are appended to its config. Never touches the system broker.
 */
export async function startMosquitto(extraConfig: string[] = []): Promise<MosquittoProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-mosquitto-'));
  const admin = { username: 'admin', password: randomBytes(18).toString('base64url') };
  try {
    await run('mosquitto_ctrl', [
      'dynsec',
      'init',
      join(dir, 'dynamic-security.json'),
      admin.username,
      admin.password,
    ]);
    for (let attempt = 0; attempt < 5; attempt++) {
      const broker = await launch(dir, extraConfig);
      if (!broker) continue;
      return {
        ...broker,
        admin,
        stop: async () => {
          await broker.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    throw new Error('mosquitto found no free port in 5 attempts');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
