import { afterEach, describe, expect, it } from 'vitest';
import { startNodeInProcess, type InProcessNode } from '../helpers/start-node.js';

// Failed HTTP device logins are counted per client address: with http.trustProxy, the address a
// trusted proxy forwards; without it, the connection's, whatever X-Forwarded-For says. A real
// node (SQLite file) and real HTTP requests on loopback, where the test plays the proxy.
const SECRET = 'station-secret-0123456789';
const WRONG = 'not-the-secret-00000';
const LIMITS = { perDevice: 100, perAddress: 2, windowSeconds: 60, blockSeconds: 60 };
const devices = ['aq-1', 'aq-2'].map((id) => ({
  id,
  entityType: 'AirQualityObserved',
  secret: SECRET,
}));

let started: InProcessNode | undefined;
afterEach(async () => {
  await started?.stop();
  started = undefined;
});

/** POSTs an observation as device `id` with `secret`, forwarded for `forwardedFor`. */
const login = (n: InProcessNode, id: string, secret: string, forwardedFor: string) =>
  fetch(`${n.url}/api/v1/ingest/${id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${secret}`,
      'x-forwarded-for': forwardedFor,
    },
    body: '{"pm25": 12}',
  }).then((r) => r.status);

describe('failed HTTP device logins behind a proxy', () => {
  it('are counted per forwarded address when the proxy is trusted', async () => {
    const n = (started = await startNodeInProcess({
      devices,
      ingest: { failedLogins: LIMITS },
      http: { trustProxy: ['127.0.0.1'] },
    }));
    // The client puts a made-up address first; the proxy appends the one it saw.
    expect(await login(n, 'aq-1', WRONG, '203.0.113.1, 198.51.100.7')).toBe(401);
    expect(await login(n, 'aq-1', WRONG, '203.0.113.2, 198.51.100.7')).toBe(401);
    expect(await login(n, 'aq-2', SECRET, '203.0.113.3, 198.51.100.7')).toBe(429);
    expect(await login(n, 'aq-2', SECRET, '198.51.100.8')).toBe(200);
    const blocked = n.logged.find((l) => l.msg === 'too many failed logins: this address blocked');
    expect(blocked).toMatchObject({ address: '198.51.100.7' });
  });

  it('are counted per connection address without trustProxy: a forged header changes nothing', async () => {
    const n = (started = await startNodeInProcess({ devices, ingest: { failedLogins: LIMITS } }));
    expect(await login(n, 'aq-1', WRONG, '198.51.100.1')).toBe(401);
    expect(await login(n, 'aq-1', WRONG, '198.51.100.2')).toBe(401);
    expect(await login(n, 'aq-2', SECRET, '198.51.100.3')).toBe(429);
    const blocked = n.logged.find((l) => l.msg === 'too many failed logins: this address blocked');
    expect(blocked).toMatchObject({ address: '127.0.0.1' });
  });
});
