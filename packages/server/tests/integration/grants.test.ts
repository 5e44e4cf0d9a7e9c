import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestIssuer,
  type TestIssuer,
} from '../../src/sharing/identity/testing/oidc-issuer.js';
import { api, startCitybrain, type StartedCitybrain } from '../helpers/start-server.js';

// Grants between departments over the API, each party signed in through a local OIDC issuer.
describe('grants: request, approve, revoke, expire; visible to their parties only', () => {
  let issuer: TestIssuer;
  let node: StartedCitybrain;
  const people: Record<string, string> = {};
  const as = (who: string) => ({ url: node.url, token: people[who]! });
  const day = 86_400_000;
  const request = (extra: Record<string, unknown> = {}) => ({
    target: 'FeverClinicVisit',
    attributes: ['visitCount', 'district'],
    rowFilter: 'district=="Xihu"',
    purpose: 'epidemic-control',
    validFrom: new Date().toISOString(),
    validUntil: new Date(Date.now() + 30 * day).toISOString(),
    duties: [
      { action: 'inform', party: 'owner' },
      { action: 'delete', afterDays: 30 },
    ],
    prohibitions: ['re-identification', 'redistribution'],
    ...extra,
  });

  beforeAll(async () => {
    issuer = await startTestIssuer();
    node = await startCitybrain({
      config: { auth: { oidc: { issuer: issuer.url, audience: 'citybrain' } } },
    });
    people.healthOwner = await issuer.token({
      sub: 'dr.sun',
      org: 'health-commission',
      roles: ['owner'],
    });
    people.policeAnalyst = await issuer.token({
      sub: 'officer.li',
      org: 'public-security',
      roles: ['analyst'],
    });
    people.transport = await issuer.token({
      sub: 'planner.wu',
      org: 'transport-bureau',
      roles: ['owner'],
    });
    for (const [id, en, zh] of [
      ['health-commission', 'Health Commission', '卫健委'],
      ['public-security', 'Public Security Bureau', '公安局'],
      ['transport-bureau', 'Transport Bureau', '交通局'],
    ])
      expect(
        (
          await api(node, `/api/v1/organisations/${id}`, {
            method: 'PUT',
            json: { id, name: { en, zh }, kind: 'department' },
          })
        ).status,
      ).toBe(204);
    // The owner declares its dataset.
    const declared = await api(as('healthOwner'), '/api/v1/datasets/FeverClinicVisit', {
      method: 'PUT',
      json: { id: 'FeverClinicVisit', owner: 'health-commission', classification: 'sensitive' },
    });
    expect(declared.status, JSON.stringify(declared.body)).toBe(204);
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await issuer?.close();
  });

  it('lets the assignee request, only the owner approve, and shows the grant as ODRL', async () => {
    const asked = await api(as('policeAnalyst'), '/api/v1/grants', {
      method: 'POST',
      json: request(),
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body).toMatchObject({
      assigner: 'health-commission',
      assignee: 'public-security',
      status: 'requested',
      requestedBy: 'officer.li',
    });
    const id = asked.body.id as string;
    // The requester cannot approve its own request; another department cannot even see it.
    expect(
      (await api(as('policeAnalyst'), `/api/v1/grants/${id}/approve`, { method: 'POST' })).status,
    ).toBe(403);
    expect((await api(as('transport'), `/api/v1/grants/${id}`)).status).toBe(404);
    expect((await api(as('transport'), '/api/v1/grants')).body).toEqual([]);

    const approved = await api(as('healthOwner'), `/api/v1/grants/${id}/approve`, {
      method: 'POST',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'dr.sun' });
    expect(
      (await api(as('healthOwner'), `/api/v1/grants/${id}/approve`, { method: 'POST' })).status,
    ).toBe(400);

    const odrl = await api(as('policeAnalyst'), `/api/v1/grants/${id}/odrl`);
    expect(odrl.status).toBe(200);
    expect(odrl.body).toMatchObject({
      '@type': 'Agreement',
      uid: `urn:citybrain:grant:${id}`,
      assigner: 'health-commission',
      assignee: 'public-security',
      permission: [
        {
          target: 'FeverClinicVisit',
          action: 'read',
          constraint: expect.arrayContaining([
            { leftOperand: 'purpose', operator: 'eq', rightOperand: 'epidemic-control' },
          ]),
          duty: [
            { action: 'inform', informedParty: 'health-commission' },
            expect.objectContaining({ action: 'delete' }),
          ],
        },
      ],
      prohibition: [
        { target: 'FeverClinicVisit', action: 'cb:re-identify' },
        { target: 'FeverClinicVisit', action: 'distribute' },
      ],
    });

    const revoked = await api(as('healthOwner'), `/api/v1/grants/${id}/revoke`, { method: 'POST' });
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedBy: 'dr.sun' });
    const mine = await api(as('policeAnalyst'), '/api/v1/grants');
    expect(mine.body.map((g: { id: string; status: string }) => [g.id, g.status])).toEqual([
      [id, 'revoked'],
    ]);
  });

  it('shows an approved grant as expired once its validity is over', async () => {
    const asked = await api(as('policeAnalyst'), '/api/v1/grants', {
      method: 'POST',
      json: request({ validUntil: new Date(Date.now() + 1500).toISOString() }),
    });
    const id = asked.body.id as string;
    await api(as('healthOwner'), `/api/v1/grants/${id}/approve`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 1600));
    expect((await api(as('policeAnalyst'), `/api/v1/grants/${id}`)).body.status).toBe('expired');
  });

  it('refuses malformed requests with a 400 that names the problem', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ rowFilter: 'district==' }, 'rowFilter'],
      [{ purpose: 'curiosity' }, 'purpose'],
      [{ validUntil: new Date(Date.now() - day).toISOString() }, 'validUntil'],
      [{ target: 'NoSuchDataset' }, 'NoSuchDataset'],
      [{ attributes: [] }, 'attributes'],
      [{ assignee: 'transport-bureau' }, 'own organisation'],
    ];
    for (const [extra, words] of cases) {
      const res = await api(as('policeAnalyst'), '/api/v1/grants', {
        method: 'POST',
        json: request(extra),
      });
      expect([400, 403], JSON.stringify(extra)).toContain(res.status);
      expect(JSON.stringify(res.body), JSON.stringify(extra)).toContain(words);
    }
    // Organisations and datasets are checked the same way.
    const malformed: [string, Record<string, unknown>, string][] = [
      [
        '/api/v1/organisations/fire-brigade',
        { id: 'fire-brigade', name: { en: 'Fire' }, kind: 'club' },
        'kind',
      ],
      [
        '/api/v1/organisations/fire-brigade',
        { id: 'police', name: { en: 'Fire' }, kind: 'department' },
        'differs from the path',
      ],
      [
        '/api/v1/datasets/Hydrant',
        { id: 'Hydrant', owner: 'nobody', classification: 'public' },
        'no organisation nobody',
      ],
      [
        '/api/v1/datasets/Hydrant',
        { id: 'Hydrant', owner: 'health-commission', classification: 'secret' },
        'classification',
      ],
    ];
    for (const [path, json, words] of malformed) {
      const res = await api(node, path, { method: 'PUT', json });
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(res.body), path).toContain(words);
    }
    // The owner needs no grant for its own data; nobody else may declare its datasets.
    const own = await api(as('healthOwner'), '/api/v1/grants', { method: 'POST', json: request() });
    expect(own.status).toBe(400);
    const hijack = await api(as('transport'), '/api/v1/datasets/FeverClinicVisit', {
      method: 'PUT',
      json: { id: 'FeverClinicVisit', owner: 'transport-bureau', classification: 'public' },
    });
    expect(hijack.status).toBe(403);
  });
});
