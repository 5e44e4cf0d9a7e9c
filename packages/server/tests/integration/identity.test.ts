import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestIssuer,
  type TestIssuer,
} from '../../src/sharing/identity/testing/oidc-issuer.js';
import { api, startCitybrain, type StartedCitybrain } from '../helpers/start-server.js';

// A node that accepts OIDC access tokens of a local issuer and API keys, besides its admin token.
describe('authentication of API calls: admin token, OIDC tokens, API keys', () => {
  let issuer: TestIssuer;
  let node: StartedCitybrain;
  const as = (token: string) => ({ url: node.url, token });
  const query = '/ngsi-ld/v1/entities?type=Building';

  beforeAll(async () => {
    issuer = await startTestIssuer();
    node = await startCitybrain({
      config: { auth: { oidc: { issuer: issuer.url, audience: 'citybrain' } } },
    });
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await issuer?.close();
  });

  it('accepts a valid OIDC access token, and refuses a forged or expired one with a 401 that says why', async () => {
    const good = await issuer.token({ sub: 'wang.fang', org: 'transport-bureau' });
    expect((await api(as(good), query)).status).toBe(200);

    const forged = await api(as(await issuer.forged()), query);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/json');
    expect(forged.body.detail).toContain('signature does not verify');
    expect(forged.headers.get('www-authenticate')).toContain('Bearer');

    const expired = await api(
      as(await issuer.token({ exp: Math.floor(Date.now() / 1000) - 600 })),
      query,
    );
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain('expired');
    expect((await api(as('not-a-token'), query)).status).toBe(401);
  });

  it('creates API keys for systems, shows the secret once, and refuses a revoked key at once', async () => {
    const created = await api(node, '/api/v1/api-keys', {
      method: 'POST',
      json: { name: 'grid data platform', organisation: 'power-grid', roles: ['analyst'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id, key } = created.body as { id: string; key: string };
    expect(key).toMatch(/^cbk_/);
    expect((await api(as(key), query)).status).toBe(200);
    expect((await api(as(`${key.slice(0, -2)}xx`), query)).status).toBe(401);

    const listed = await api(node, '/api/v1/api-keys');
    expect(listed.body).toEqual([
      expect.objectContaining({ id, name: 'grid data platform', organisation: 'power-grid' }),
    ]);
    // The secret is all after `cbk_<id>_` (it may hold '_' itself).
    const secret = key.slice(`cbk_${id}_`.length);
    expect(secret.length).toBeGreaterThan(16);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain('secretHash');

    // Only administrators manage keys: an analyst's key and an analyst's token may not.
    const byAnalyst = await api(as(key), '/api/v1/api-keys', {
      method: 'POST',
      json: { name: 'x', organisation: 'power-grid' },
    });
    expect(byAnalyst.status).toBe(403);
    const analyst = await issuer.token({ sub: 'zhao.lei', org: 'police', roles: ['analyst'] });
    expect((await api(as(analyst), '/api/v1/api-keys')).status).toBe(403);
    const admin = await issuer.token({ sub: 'chen.jie', org: 'city-office', roles: ['admin'] });
    expect((await api(as(admin), '/api/v1/api-keys')).status).toBe(200);

    expect((await api(node, `/api/v1/api-keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await api(as(key), query);
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toContain('revoked');
    expect((await api(node, '/api/v1/api-keys/nosuchkey0', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses an API key request that is not well formed, with a 400', async () => {
    const res = await api(node, '/api/v1/api-keys', {
      method: 'POST',
      json: { name: '', organisation: 'power-grid', secret: 'mine' },
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBeDefined();
  });
});
