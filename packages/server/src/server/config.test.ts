import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-config-'));

describe('configuration', () => {
  it('has working defaults: port 8080, MQTT 1883, ./data, token auth, one PM2.5 rule', () => {
    const c = loadConfig({ env: {}, flags: {} });
    expect(c.http.port).toBe(8080);
    expect(c.mqtt.port).toBe(1883);
    expect(c.dataDir).toBe('./data');
    expect(c.auth.mode).toBe('token');
    expect(c.rules.map((r) => r.id)).toEqual(['pm25-high']);
  });

  it('layers file < environment < flags', () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'http:\n  port: 9000\nmqtt:\n  port: 9001\nlog:\n  level: warn\n');
    const c = loadConfig({
      file,
      env: { CITYBRAIN_MQTT_PORT: '9002', CITYBRAIN_LOG__LEVEL: 'error' },
      flags: { http: { port: 9003 } },
    });
    expect(c.http.port).toBe(9003);
    expect(c.mqtt.port).toBe(9002);
    expect(c.log.level).toBe('error');
  });

  it('maps nested environment names to camelCase keys', () => {
    expect(
      configFromEnv({ CITYBRAIN_AUTH__ADMIN_TOKEN: 'x', CITYBRAIN_DEMO__DEVICES_PER_KIND: '3' }),
    ).toEqual({
      auth: { adminToken: 'x' },
      demo: { devicesPerKind: 3 },
    });
  });

  it('takes list settings from the environment as JSON arrays, and names a malformed one', () => {
    const c = loadConfig({
      env: {
        CITYBRAIN_HTTP__TRUST_PROXY: '["10.0.0.0/8", "loopback"]',
        CITYBRAIN_NOTIFY__WEBHOOKS__ALLOWED_PORTS: '[443, "9000-9099"]',
      },
      flags: {},
    });
    expect(c.http.trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    expect(c.notify.webhooks.allowedPorts).toEqual([443, '9000-9099']);
    expect(() =>
      loadConfig({ env: { CITYBRAIN_HTTP__TRUST_PROXY: '[10.0.0.0/8' }, flags: {} }),
    ).toThrow(/CITYBRAIN_HTTP__TRUST_PROXY is not a JSON array/);
    // Only list settings are read as JSON: a token may start with '['.
    const token = loadConfig({
      env: { CITYBRAIN_AUTH__ADMIN_TOKEN: '[not-a-list-0123456789' },
      flags: {},
    });
    expect(token.auth.adminToken).toBe('[not-a-list-0123456789');
  });

  it('takes the scale-out services from short environment names, the embedded ones by default', () => {
    const embedded = loadConfig({ env: {}, flags: {} });
    expect([embedded.store.url, embedded.bus.url, embedded.mqtt.url]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const c = loadConfig({
      env: {
        CITYBRAIN_STORE: 'postgres://db:5432/city',
        CITYBRAIN_BUS: 'nats://nats:4222',
        CITYBRAIN_MQTT: 'mqtt://broker:1883',
        CITYBRAIN_NODE_ID: 'node-2',
      },
      flags: {},
    });
    expect(c.store.url).toBe('postgres://db:5432/city');
    expect(c.bus.url).toBe('nats://nats:4222');
    expect(c.mqtt.url).toBe('mqtt://broker:1883');
    expect(c.node.id).toBe('node-2');
  });

  it('refuses a store, bus or broker URL of the wrong kind, naming each', () => {
    let message = '';
    try {
      loadConfig({
        env: {},
        flags: {
          store: { url: 'mysql://db/city' },
          bus: { url: 'amqp://mq' },
          mqtt: { url: 'http://x' },
        },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of ['store.url', 'bus.url', 'mqtt.url']) expect(message).toContain(key);
  });

  it('names every bad key', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ http: { port: 'eighty' }, mqtt: { prot: 1 }, auth: { mode: 'open' } }),
    );
    let error: unknown;
    try {
      loadConfig({ file, env: {}, flags: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('http.port');
    expect(message).toContain('mqtt.prot: unknown key');
    expect(message).toContain('auth.mode');
  });

  it('takes the rule engine settings from a file, the current defaults where absent', () => {
    expect(loadConfig({ env: {}, flags: {} }).ruleEngine).toEqual({
      latenessMs: 10_000,
      rebuildMaxFacts: 200_000,
      regroupAfterMs: 5000,
      leases: { ttlMs: 15_000, renewMs: 5000 },
    });
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      'ruleEngine:\n  latenessMs: 30000\n  rebuildMaxFacts: 50000\n  leases:\n    ttlMs: 6000\n',
    );
    const c = loadConfig({
      file,
      env: { CITYBRAIN_RULE_ENGINE__LEASES__RENEW_MS: '2000' },
      flags: {},
    });
    expect(c.ruleEngine).toEqual({
      latenessMs: 30_000,
      rebuildMaxFacts: 50_000,
      regroupAfterMs: 5000,
      leases: { ttlMs: 6000, renewMs: 2000 },
    });
  });

  it('refuses rule engine settings out of range, naming each key and its bound', () => {
    let message = '';
    try {
      loadConfig({
        env: {},
        flags: {
          ruleEngine: { latenessMs: -1, rebuildMaxFacts: 10, leases: { renewMs: 0 } },
        },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('ruleEngine.latenessMs: must be >= 0');
    expect(message).toContain('ruleEngine.rebuildMaxFacts: must be >= 1000');
    expect(message).toContain('ruleEngine.leases.renewMs: must be >= 100');
  });

  it('keeps webhooks to the web’s ports unless notify.webhooks.allowedPorts lists others', () => {
    expect(loadConfig({ env: {}, flags: {} }).notify.webhooks.allowedPorts).toEqual([
      80, 443, 8080, 8443,
    ]);
    const ports = [443, '9000-9010'];
    const c = loadConfig({ env: {}, flags: { notify: { webhooks: { allowedPorts: ports } } } });
    expect(c.notify.webhooks.allowedPorts).toEqual(ports);
    expect(() =>
      loadConfig({ env: {}, flags: { notify: { webhooks: { allowedPorts: [0, '80,443'] } } } }),
    ).toThrow(/notify\.webhooks\.allowedPorts\.0: .*\n.*notify\.webhooks\.allowedPorts\.1: /);
  });

  it('says which file it cannot read or parse', () => {
    expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {}, flags: {} })).toThrow(
      /missing\.yaml/,
    );
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'http: [1, 2\n');
    expect(() => loadConfig({ file, env: {}, flags: {} })).toThrow(/broken\.yaml is invalid/);
  });
});
