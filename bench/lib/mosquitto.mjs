// A private Mosquitto broker with dynamic security for the scale-out benchmark, on a free
// loopback port and its own temp dir. The test helper (src/ingest/testing/) is not in the
// build, so the bench keeps this small copy, tuned to never drop a queued QoS 1 message.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { trackChild } from './child-reaper.mjs';

/** Where Debian installs the broker and its dynamic security plugin. */
export const MOSQUITTO_BINARY = process.env.CITYBRAIN_MOSQUITTO_BINARY ?? '/usr/sbin/mosquitto';
/** The dynamic security plugin the private broker loads. */
export const DYNSEC_PLUGIN =
  process.env.CITYBRAIN_MOSQUITTO_DYNSEC ??
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

const run = promisify(execFile);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The broker's settings. Mosquitto 2.0 drops QoS 1 messages silently once a session's queue
 * passes max_queued_messages (default 1000), although the device already has its PUBACK:
 * 0 (with max_queued_bytes 0) means no limit, so a backlog waits instead of being lost.
 */
function config(dir, port) {
  return [
    // Running as root, Mosquitto would drop to the `mosquitto` user, which cannot read the temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings false',
    'allow_anonymous false',
    'persistence false',
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    `listener ${port} 127.0.0.1`,
    `plugin ${DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${join(dir, 'dynamic-security.json')}`,
    '',
  ].join('\n');
}

/** True when this machine has the broker and its plugin. */
export function mosquittoInstalled() {
  return existsSync(MOSQUITTO_BINARY) && existsSync(DYNSEC_PLUGIN);
}

/**
 * Starts `/usr/sbin/mosquitto` with dynamic security on a free loopback port; resolves
 * {url, port, pid, admin: {username, password}, log(), stop()}. Never touches the system broker.
 */
export async function startMosquitto() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-mosquitto-'));
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
      const port = await freePort();
      const file = join(dir, 'mosquitto.conf');
      writeFileSync(file, config(dir, port));
      const child = spawn(MOSQUITTO_BINARY, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      // A bench that dies must not leave its broker behind.
      trackChild(child);
      let log = '';
      child.stderr.on('data', (chunk) => (log += chunk.toString('utf8')));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let up = false;
      for (let i = 0; i < 100 && child.exitCode === null; i++) {
        if (await listening(port)) {
          up = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!up) {
        child.kill('SIGKILL');
        await exited;
        // The port was taken between freePort() and the bind: try another.
        if (/address already in use/i.test(log)) continue;
        throw new Error(`mosquitto did not start on ${port}: ${log}`);
      }
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        pid: child.pid,
        admin,
        log: () => log,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
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
