import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PM25_HIGH_RULE } from '../../src/brain/index.js';
import { startNode, validateConfig } from '../../src/server/index.js';
import { startNodeInProcess, type InProcessNode } from '../helpers/start-node.js';

// The `ruleEngine` settings of the configuration reach the rule engine of a node: a real node
// (SQLite file, HTTP on loopback) whose rules evaluate what its HTTP ingest takes.
const SECRET = 'station-secret-0123456789';
const DEVICE = { id: 'aq-1', entityType: 'AirQualityObserved', secret: SECRET };
/** The shared machine may be slow: wait for what the node does, not a fixed time. */
const WAIT = { timeout: 10_000, interval: 50 };

let started: InProcessNode | undefined;
afterEach(async () => {
  await started?.stop();
  started = undefined;
});

const ingest = (n: InProcessNode, body: object) =>
  fetch(`${n.url}/api/v1/ingest/${DEVICE.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
    body: JSON.stringify(body),
  });

describe('ruleEngine settings', () => {
  it('take latenessMs: a fact 5 s late is ignored under a lateness of 1 s', async () => {
    const n = (started = await startNodeInProcess({
      devices: [DEVICE],
      ruleEngine: { latenessMs: 1000 },
    }));
    const now = Date.now();
    expect((await ingest(n, { observedAt: now, pm25: 20 })).status).toBe(200);
    await vi.waitFor(async () => {
      expect(await n.metric('citybrain_rules_facts_evaluated')).toBe(1);
    }, WAIT);
    // Under the default lateness (10 s) this fact would be slotted into place.
    expect((await ingest(n, { observedAt: now - 5000, pm25: 21 })).status).toBe(200);
    await vi.waitFor(async () => {
      expect(await n.metric('citybrain_rules_facts_too_late')).toBe(1);
    }, WAIT);
  });

  it('take regroupAfterMs: rules of one group taken up apart are put together after it', async () => {
    const n = (started = await startNodeInProcess({ ruleEngine: { regroupAfterMs: 200 } }));
    const rule = { ...PM25_HIGH_RULE, id: 'pm25-very-high', value: 150 };
    const put = await fetch(`${n.url}/api/v1/rules/${rule.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${n.token}` },
      body: JSON.stringify(rule),
    });
    expect(put.status).toBe(201);
    // The default (5 s) would not regroup within this wait.
    await vi.waitFor(() => {
      expect(n.logged.map((l) => l.msg)).toContain('rules evaluated apart put together again');
    }, 4000);
    expect(await n.metric('citybrain_rules_groups')).toBe(1);
  });

  it('refuses leases renewed too seldom for their length, before anything starts', async () => {
    const config = validateConfig({ ruleEngine: { leases: { ttlMs: 10_000, renewMs: 5000 } } });
    await expect(startNode(config, pino({ level: 'silent' }))).rejects.toThrow(
      'ruleEngine.leases.ttlMs (10000) must be at least 3 × ruleEngine.leases.renewMs (5000)',
    );
  });
});
