import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { mergeConfig } from '../../src/server/config.js';
import { startNode, validateConfig, type RunningNode } from '../../src/server/index.js';

/** A node started in the test's process from a configuration, as `citybrain up` starts one. */
export interface InProcessNode {
  node: RunningNode;
  url: string;
  token: string;
  /** Every line the node logged (info and above), parsed. */
  logged: { msg: string; [key: string]: unknown }[];
  /** GET /metrics: the value of one metric without labels, or undefined. */
  metric(name: string): Promise<number | undefined>;
  /** Stops the node and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a node from `config` (over a default of loopback, free ports, a temporary SQLite data
 * directory and a fresh admin token) in this process: the settings go through the same
 * validation and composition as `citybrain up`, while the test can read what the node logged.
 */
export async function startNodeInProcess(config: Record<string, unknown>): Promise<InProcessNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cb-node-'));
  const token = randomBytes(18).toString('base64url');
  const base = {
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { host: '127.0.0.1', port: 0 },
    auth: { adminToken: token },
  };
  const logged: InProcessNode['logged'] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logged.push(JSON.parse(line)) },
  );
  let node: RunningNode;
  try {
    node = await startNode(validateConfig(mergeConfig(base, config)), logger);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://127.0.0.1:${node.httpPort}`;
  return {
    node,
    url,
    token,
    logged,
    async metric(name) {
      const text = await (
        await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      ).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    },
    async stop() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
