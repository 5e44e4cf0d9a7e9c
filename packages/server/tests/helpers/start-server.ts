import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built CLI the tests run, exactly as a user would. */
export const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));

/** A citybrain process started by a test. */
export interface StartedCitybrain {
  url: string;
  mqttUrl: string;
  httpPort: number;
  mqttPort: number;
  token: string;
  dataDir: string;
  /** Every stdout/stderr line so far. */
  output: string[];
  process: ChildProcess;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<void>;
}

/** Options of startCitybrain. */
export interface StartOptions {
  config?: object;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  token?: string;
  timeoutMs?: number;
}

/** Runs `citybrain up` on free ports with a temporary data dir and waits until it is up. */
export async function startCitybrain(options: StartOptions = {}): Promise<StartedCitybrain> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'citybrain-test-'));
  const token = options.token ?? randomBytes(18).toString('base64url');
  const args = [CLI, 'up', '--port', '0', '--mqtt-port', '0', '--data', dataDir];
  if (options.config) {
    const file = join(dataDir, `config-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      CITYBRAIN_ADMIN_TOKEN: token,
      CITYBRAIN_HTTP__HOST: '127.0.0.1',
      CITYBRAIN_MQTT__HOST: '127.0.0.1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
  const ports = await new Promise<{ httpPort: number; mqttPort: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`citybrain did not start in time:\n${output.join('\n')}`)),
      options.timeoutMs ?? 30_000,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`citybrain exited with ${code}:\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; httpPort?: number; mqttPort?: number };
        if (entry.msg === 'citybrain is up') {
          clearTimeout(timer);
          resolve({ httpPort: entry.httpPort!, mqttPort: entry.mqttPort! });
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    ...ports,
    url: `http://127.0.0.1:${ports.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqttPort}`,
    token,
    dataDir,
    output,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** fetch with the operator token and JSON handling. */
export async function api(
  server: Pick<StartedCitybrain, 'url' | 'token'>,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${server.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const res = await fetch(server.url + path, { ...init, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
