import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/start-server.js';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });

describe('citybrain CLI', () => {
  it('documents every command and option with --help', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toContain('up');
    const up = run(['up', '--help']);
    expect(up.status).toBe(0);
    for (const flag of ['--demo', '--config', '--port', '--mqtt-port', '--data'])
      expect(up.stdout).toContain(flag);
  });

  it('refuses an invalid configuration, naming the bad key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'http:\n  port: eighty\nmqtt:\n  bogus: 1\n');
    const result = run(['up', '--config', file, '--data', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('http.port');
    expect(result.stderr).toContain('mqtt.bogus: unknown key');
  });

  it('refuses a bad flag value', () => {
    const result = run(['up', '--port', 'abc']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('a port is 0–65535');
  });

  it('names --mqtt-port when the MQTT port is taken outside --demo', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
    const result = run(['up', '--port', '0', '--mqtt-port', String(port), '--data', dir], {
      CITYBRAIN_MQTT__HOST: '127.0.0.1',
      CITYBRAIN_HTTP__HOST: '127.0.0.1',
    });
    blocker.close();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`MQTT port ${port} is already in use`);
    expect(result.stderr).toContain('--mqtt-port');
  });
});
