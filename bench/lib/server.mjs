// Starts the real citybrain server the way packages/server/tests/helpers/start-server.ts does.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onAbortCleanup, trackChild } from './child-reaper.mjs';

/** The built CLI, exactly as a user runs it. */
export const CLI = fileURLToPath(
  new URL('../../packages/server/dist/server/cli.js', import.meta.url),
);

/**
 * Runs `citybrain up --port 0 --mqtt-port 0 --data <fresh dir>` and resolves once the
 * "citybrain is up" log line names the ports. stdout/stderr are always drained; the last
 * lines are kept for diagnostics. The server leads its own process group and is tracked by
 * lib/child-reaper.mjs: an aborted benchmark (Ctrl-C, SIGTERM, a crash) stops it.
 */
export async function startServer({
  dataRoot = tmpdir(),
  dataDir: givenDataDir,
  token: givenToken,
  env = {},
  args = [],
  nodeArgs = [],
  timeoutMs = 60_000,
} = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  if (!givenDataDir) mkdirSync(dataRoot, { recursive: true });
  const dataDir = givenDataDir ?? mkdtempSync(join(dataRoot, 'citybrain-bench-'));
  // Until the server is up the fresh directory is ours: removed if it never comes up.
  const dropDataDir = () => {
    if (!givenDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const forgetDataDir = onAbortCleanup(dropDataDir);
  // A reused data directory needs the token it was made with, so that it is the same operator.
  const token =
    givenToken ??
    (givenDataDir ? 'citybrain-bench-reused-data' : randomBytes(18).toString('base64url'));
  // Only the variables set here configure the server: CITYBRAIN_* of the caller's shell do not leak in.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('CITYBRAIN_')),
  );
  const child = spawn(
    process.execPath,
    [...nodeArgs, CLI, 'up', '--port', '0', '--mqtt-port', '0', '--data', dataDir, ...args],
    {
      env: {
        ...inherited,
        CITYBRAIN_ADMIN_TOKEN: token,
        CITYBRAIN_HTTP__HOST: '127.0.0.1',
        CITYBRAIN_MQTT__HOST: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches the benchmark, which stops the server in order.
      detached: true,
    },
  );
  trackChild(child, { group: true });
  const tail = [];
  const keep = (line) => {
    tail.push(line);
    if (tail.length > 200) tail.shift();
  };
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  createInterface({ input: child.stderr }).on('line', keep);
  const up = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`citybrain did not start in ${timeoutMs} ms:\n${tail.join('\n')}`));
    }, timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`citybrain exited (${code ?? signal}) before it was up:\n${tail.join('\n')}`),
      );
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      keep(line);
      if (!line.includes('citybrain is up')) return;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'citybrain is up') {
          clearTimeout(timer);
          resolve({ httpPort: entry.httpPort, mqttPort: entry.mqttPort });
        }
      } catch {
        // not a log line
      }
    });
  });
  let ports;
  try {
    ports = await up;
  } catch (err) {
    await exited;
    dropDataDir();
    throw err;
  } finally {
    forgetDataDir();
  }
  return {
    ...ports,
    url: `http://127.0.0.1:${ports.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqttPort}`,
    token,
    dataDir,
    pid: child.pid,
    process: child,
    tail,
    exited,
    /** SIGTERM, wait (SIGKILL after `graceMs`); resolves {code, signal, killed}. */
    async stop(graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, killed };
    },
  };
}

/** fetch against the server with the operator token; parses JSON bodies. */
export async function api(server, path, { method = 'GET', json, headers = {} } = {}) {
  const h = { authorization: `Bearer ${server.token}`, ...headers };
  let body;
  if (json !== undefined) {
    h['content-type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const res = await fetch(server.url + path, { method, headers: h, body });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text };
}

/** Runs `fn` over `items` with at most `limit` calls at a time. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Registers bench devices (AirQualityObserved, pm25 in GQ); returns [{id, secret, entityId}]. */
export async function registerDevices(server, ids) {
  return mapLimit(ids, 8, async (id) => {
    const secret = randomBytes(18).toString('base64url');
    const res = await api(server, '/api/v1/devices', {
      method: 'POST',
      json: { id, entityType: 'AirQualityObserved', secret, units: { pm25: 'GQ' } },
    });
    if (res.status !== 201)
      throw new Error(`registering ${id}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
    return { id, secret: res.body?.secret ?? secret, entityId: res.body?.entityId };
  });
}
