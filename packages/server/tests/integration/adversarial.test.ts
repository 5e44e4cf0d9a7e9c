import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/ngsi-ld/subscriptions/test-setup.js';
import {
  startTestIssuer,
  type TestIssuer,
} from '../../src/sharing/identity/testing/oidc-issuer.js';
import { api, startCitybrain, type StartedCitybrain } from '../helpers/start-server.js';

// Attempts to read outside what a grant allows, through every read path, by every kind of
// caller: each attempt is scanned for what that caller must never see. The suite counts the
// attempts and the leaks; the leaks must be 0. Add the attempts of each new read path here.

const VISIT = 'urn:ngsi-ld:FeverClinicVisit:';
const XIHU = [`${VISIT}xihu-1`, `${VISIT}xihu-2`];
const GONGSHU = [`${VISIT}gongshu-1`, `${VISIT}gongshu-2`];
const CASE = 'urn:ngsi-ld:PoliceCase:1';
const TENANT_VISIT = `${VISIT}tenant-1`;
/** Values only the owner may read: patient names, a police case, another tenant's data. */
const SECRETS = ['SECRET-NAME', 'SECRET-CASE', 'SECRET-TENANT', 'patientName'];
/** What a caller without any grant must not see either. */
const ALL_VISITS = [...XIHU, ...GONGSHU, 'visitCount'];
const PURPOSE = 'Citybrain-Purpose';
const AT = '2026-11-20T08:00:00Z';

interface Attempt {
  who: string;
  what: string;
  leaks: string[];
}
const attempts: Attempt[] = [];

const visit = (district: string, n: number, name: string) => ({
  id: `${VISIT}${district.toLowerCase()}-${n}`,
  type: 'FeverClinicVisit',
  visitCount: [{ type: 'Property', value: 10 + n, observedAt: AT }],
  district: [{ type: 'Property', value: district, observedAt: AT }],
  patientName: [{ type: 'Property', value: name, observedAt: AT }],
  location: [
    {
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [120.1 + n / 100, 30.2] },
      observedAt: AT,
    },
  ],
});

describe('adversarial: reads outside a grant fail on every read path', () => {
  let issuer: TestIssuer;
  let node: StartedCitybrain;
  let rx: Receiver;
  let grantId = '';
  let subscriptionId = '';
  const tokens: Record<string, string> = {};
  const mqtt: MqttClient[] = [];

  /** A request as `who`, with a purpose unless `purpose` is null; records the attempt's leaks. */
  async function attempt(
    who: string,
    path: string,
    forbidden: readonly string[],
    init: RequestInit & { json?: unknown; purpose?: string | null } = {},
  ) {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${tokens[who] ?? who}`);
    if (init.purpose !== null) headers.set(PURPOSE, init.purpose ?? 'epidemic-control');
    const res = await api(node, path, { ...init, headers });
    const seen = `${JSON.stringify(res.body ?? '')} count=${res.headers.get('ngsild-results-count') ?? ''}`;
    // What the request itself named (an id it asked for) may come back in an error's detail.
    const leaks = forbidden.filter((f) => seen.includes(f) && !path.includes(f));
    attempts.push({ who, what: `${init.method ?? 'GET'} ${path}`, leaks });
    return { ...res, leaks };
  }
  /** An attempt that must show nothing forbidden. */
  async function refused(
    who: string,
    path: string,
    forbidden: readonly string[],
    init: Parameters<typeof attempt>[3] = {},
  ) {
    const res = await attempt(who, path, forbidden, init);
    expect(res.leaks, `${who} ${path}: ${JSON.stringify(res.body)}`).toEqual([]);
    return res;
  }
  const asOperator = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    api(node, path, init);
  const ids = (body: unknown) => (body as { id: string }[]).map((e) => e.id).sort();

  beforeAll(async () => {
    issuer = await startTestIssuer();
    rx = await startReceiver();
    node = await startCitybrain({
      config: {
        auth: { publicReads: true, oidc: { issuer: issuer.url, audience: 'citybrain' } },
      },
    });
    const user = (sub: string, org: string, roles: string[]) => issuer.token({ sub, org, roles });
    tokens.health = await user('dr.sun', 'health', ['owner']);
    tokens.police = await user('officer.li', 'police', ['analyst']);
    tokens.policeAdmin = await user('chief.wang', 'police', ['admin', 'editor']);
    tokens.transport = await user('planner.wu', 'transport', ['analyst']);
    tokens.research = await user('prof.zhao', 'research', ['analyst']);
    tokens.forged = await issuer.forged({ sub: 'dr.sun', org: 'health', roles: ['owner'] });
    tokens.expired = await issuer.token({
      sub: 'dr.sun',
      org: 'health',
      roles: ['owner'],
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    tokens.otherAudience = await issuer.token({ sub: 'dr.sun', org: 'health', aud: 'elsewhere' });

    for (const id of ['health', 'police', 'transport', 'research'])
      expect(
        (
          await asOperator(`/api/v1/organisations/${id}`, {
            method: 'PUT',
            json: { id, name: { en: id, zh: id }, kind: 'department' },
          })
        ).status,
      ).toBe(204);
    for (const [id, owner, classification] of [
      ['FeverClinicVisit', 'health', 'sensitive'],
      ['AirQualityObserved', 'transport', 'public'],
    ] as const)
      expect(
        (
          await asOperator(`/api/v1/datasets/${id}`, {
            method: 'PUT',
            json: { id, owner, classification },
          })
        ).status,
      ).toBe(204);
    // Visits with history (temporal create), a case of an undeclared type, another tenant's visit.
    for (const body of [
      visit('Xihu', 1, 'SECRET-NAME-X1'),
      visit('Xihu', 2, 'SECRET-NAME-X2'),
      visit('Gongshu', 1, 'SECRET-NAME-G1'),
      visit('Gongshu', 2, 'SECRET-NAME-G2'),
    ])
      expect(
        (await asOperator('/ngsi-ld/v1/temporal/entities', { method: 'POST', json: body })).status,
      ).toBe(201);
    const created = await Promise.all([
      asOperator('/ngsi-ld/v1/entities', {
        method: 'POST',
        json: { id: CASE, type: 'PoliceCase', suspect: { type: 'Property', value: 'SECRET-CASE' } },
      }),
      asOperator('/ngsi-ld/v1/entities', {
        method: 'POST',
        headers: { 'NGSILD-Tenant': 'community-a' },
        json: {
          id: TENANT_VISIT,
          type: 'FeverClinicVisit',
          patientName: { type: 'Property', value: 'SECRET-TENANT' },
        },
      }),
      asOperator('/ngsi-ld/v1/entities', {
        method: 'POST',
        json: {
          id: 'urn:ngsi-ld:AirQualityObserved:1',
          type: 'AirQualityObserved',
          pm25: { type: 'Property', value: 35 },
        },
      }),
    ]);
    for (const c of created) expect(c.status, JSON.stringify(c.body)).toBe(201);

    // Police asks for the Xihu visits' counts for epidemic control; health approves.
    const asked = await api({ url: node.url, token: tokens.police }, '/api/v1/grants', {
      method: 'POST',
      json: {
        target: 'FeverClinicVisit',
        attributes: ['visitCount', 'district'],
        rowFilter: 'district=="Xihu"',
        purpose: 'epidemic-control',
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
        duties: [{ action: 'inform', party: 'owner' }],
        prohibitions: ['re-identification', 'redistribution'],
      },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    grantId = (asked.body as { id: string }).id;
    const approved = await api(
      { url: node.url, token: tokens.health },
      `/api/v1/grants/${grantId}/approve`,
      { method: 'POST' },
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  }, 90_000);

  afterAll(async () => {
    for (const c of mqtt) c.end(true);
    await node?.stop();
    await rx?.close();
    await issuer?.close();
    const leaky = attempts.filter((a) => a.leaks.length > 0);
    process.stdout.write(
      `adversarial suite: ${attempts.length} attempts, ${leaky.length} leaks` +
        leaky.map((a) => `\n  LEAK ${a.who} ${a.what}: ${a.leaks.join(', ')}`).join('') +
        '\n',
    );
  });

  describe('the grantee (police, Xihu rows, visitCount and district, epidemic control)', () => {
    const forbidden = [...GONGSHU, ...SECRETS, 'SECRET'];

    it('retrieves a granted row without the attributes outside the grant', async () => {
      const res = await refused('police', `/ngsi-ld/v1/entities/${XIHU[0]}`, forbidden);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: XIHU[0], visitCount: { value: 11 } });
      expect(res.body.location).toBeUndefined();
    });

    it('gets a 404 for a row outside the filter, as for one that does not exist', async () => {
      const outside = await refused('police', `/ngsi-ld/v1/entities/${GONGSHU[0]}`, forbidden);
      const absent = await refused('police', `/ngsi-ld/v1/entities/${VISIT}nowhere`, forbidden);
      expect(outside.status).toBe(404);
      expect(outside.body.detail).toBe(absent.body.detail.replace('nowhere', 'gongshu-1'));
    });

    it('queries only the granted rows, and counts only them', async () => {
      const res = await refused(
        'police',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit&count=true&limit=100',
        forbidden,
      );
      expect(ids(res.body)).toEqual(XIHU);
      expect(res.headers.get('ngsild-results-count')).toBe('2');
    });

    it('learns nothing by filtering, selecting or projecting on what is not granted', async () => {
      const probes = [
        'type=FeverClinicVisit&q=patientName=="SECRET-NAME-X1"&count=true',
        'type=FeverClinicVisit&q=patientName~=".*"&count=true',
        'type=FeverClinicVisit&attrs=patientName&count=true',
        'q=district=="Gongshu"&count=true',
        'idPattern=.*&count=true',
        'type=FeverClinicVisit&georel=near;maxDistance==100000&geometry=Point&coordinates=[120.1,30.2]&count=true',
        'type=PoliceCase&count=true',
        'type=FeverClinicVisit,PoliceCase&count=true',
        'type=FeverClinicVisit&scopeQ=/%23&count=true',
      ];
      for (const probe of probes) {
        const res = await refused('police', `/ngsi-ld/v1/entities?${probe}`, forbidden);
        expect(res.status, probe).toBe(200);
        const found = res.body as { id: string; type: string }[];
        // The count is of what may be seen: the Xihu visits, and public data.
        expect(Number(res.headers.get('ngsild-results-count')), probe).toBe(found.length);
        for (const e of found)
          if (e.type === 'FeverClinicVisit') expect(XIHU, probe).toContain(e.id);
          else expect(e.type, probe).toBe('AirQualityObserved');
      }
      const posted = await refused(
        'police',
        '/ngsi-ld/v1/entityOperations/query?count=true',
        forbidden,
        {
          method: 'POST',
          json: {
            type: 'Query',
            entities: [{ type: 'FeverClinicVisit' }],
            q: 'district=="Gongshu"',
          },
        },
      );
      expect(posted.body).toEqual([]);
      const projected = await refused(
        'police',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit&attrs=visitCount,patientName&options=keyValues',
        forbidden,
      );
      expect(ids(projected.body)).toEqual(XIHU);
    });

    it('reads the history of granted rows and attributes only', async () => {
      const one = await refused('police', `/ngsi-ld/v1/temporal/entities/${XIHU[1]}`, forbidden);
      expect(one.status).toBe(200);
      expect(one.body.visitCount).toBeDefined();
      expect(
        (await refused('police', `/ngsi-ld/v1/temporal/entities/${GONGSHU[1]}`, forbidden)).status,
      ).toBe(404);
      const many = await refused(
        'police',
        '/ngsi-ld/v1/temporal/entities?type=FeverClinicVisit&count=true',
        forbidden,
      );
      expect(ids(many.body)).toEqual(XIHU);
      await refused(
        'police',
        '/ngsi-ld/v1/temporal/entities?type=FeverClinicVisit&options=aggregatedValues&aggrMethods=totalCount',
        forbidden,
      );
    });

    it('discovers the granted type and attributes, counted over its rows', async () => {
      const types = await refused('police', '/ngsi-ld/v1/types?details=true', [
        ...forbidden,
        'PoliceCase',
      ]);
      expect(JSON.stringify(types.body)).toContain('FeverClinicVisit');
      const info = await refused('police', '/ngsi-ld/v1/types/FeverClinicVisit', forbidden);
      expect(info.body.entityCount).toBe(2);
      await refused('police', '/ngsi-ld/v1/attributes?details=true', forbidden);
      expect(
        (await refused('police', '/ngsi-ld/v1/attributes/patientName', forbidden)).status,
      ).toBe(404);
      expect((await refused('police', '/ngsi-ld/v1/types/PoliceCase', forbidden)).status).toBe(404);
    });

    it('cannot read another tenant, nor with another purpose, nor without one', async () => {
      const tenant = await refused(
        'police',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit',
        forbidden,
        {
          headers: { 'NGSILD-Tenant': 'community-a' },
        },
      );
      expect(tenant.status).toBe(404);
      for (const purpose of ['traffic-management', null]) {
        const res = await refused(
          'police',
          '/ngsi-ld/v1/entities?type=FeverClinicVisit&count=true',
          [...forbidden, ...XIHU],
          { purpose },
        );
        expect(res.headers.get('ngsild-results-count')).toBe('0');
        expect(
          (
            await refused('police', `/ngsi-ld/v1/entities/${XIHU[0]}`, [...forbidden, ...XIHU], {
              purpose,
            })
          ).status,
        ).toBe(404);
      }
      const unknown = await refused(
        'police',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit',
        forbidden,
        {
          purpose: 'curiosity',
        },
      );
      expect(unknown.status).toBe(400);
      expect(unknown.body.detail).toContain('epidemic-control');
    });

    it('cannot write the owner’s data, nor see whether a hidden row exists by writing', async () => {
      const patch = (id: string) =>
        refused('policeAdmin', `/ngsi-ld/v1/entities/${id}/attrs`, forbidden, {
          method: 'PATCH',
          json: { visitCount: { type: 'Property', value: 999 } },
        });
      expect((await patch(XIHU[0]!)).status).toBe(403);
      expect((await patch(GONGSHU[0]!)).status).toBe(404);
      const create = await refused('policeAdmin', '/ngsi-ld/v1/entities', forbidden, {
        method: 'POST',
        json: { id: `${VISIT}fake`, type: 'FeverClinicVisit' },
      });
      expect(create.status).toBe(403);
      const batch = await refused('policeAdmin', '/ngsi-ld/v1/entityOperations/upsert', forbidden, {
        method: 'POST',
        json: [
          { id: XIHU[1], type: 'FeverClinicVisit', visitCount: { type: 'Property', value: 0 } },
        ],
      });
      expect(batch.status).toBe(207);
      const history = await refused('policeAdmin', '/ngsi-ld/v1/temporal/entities', forbidden, {
        method: 'POST',
        json: visit('Xihu', 1, 'forged'),
      });
      expect(history.status).toBe(403);
      const removed = await refused(
        'policeAdmin',
        `/ngsi-ld/v1/entities/${GONGSHU[1]}`,
        forbidden,
        {
          method: 'DELETE',
        },
      );
      expect(removed.status).toBe(404);
      const kept = await asOperator(`/ngsi-ld/v1/entities/${XIHU[0]}?options=keyValues`);
      expect(kept.body.visitCount).toBe(11);
      expect((await asOperator(`/ngsi-ld/v1/entities/${GONGSHU[1]}`)).status).toBe(200);
      expect((await asOperator(`/ngsi-ld/v1/entities/${VISIT}fake`)).status).toBe(404);
    });

    it('is notified of granted rows and attributes only', async () => {
      const created = await attempt('police', '/ngsi-ld/v1/subscriptions', forbidden, {
        method: 'POST',
        json: {
          type: 'Subscription',
          entities: [{ type: 'FeverClinicVisit' }],
          notification: { endpoint: { uri: `${rx.url}/police` } },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      subscriptionId = decodeURIComponent(created.headers.get('location')!.split('/').pop()!);
      const update = (id: string, attrs: Record<string, unknown>) =>
        asOperator(`/ngsi-ld/v1/entities/${id}/attrs`, { method: 'PATCH', json: attrs });
      await update(GONGSHU[0]!, { visitCount: { type: 'Property', value: 50 } });
      await update(XIHU[0]!, { patientName: { type: 'Property', value: 'SECRET-NAME-NEW' } });
      await update(XIHU[0]!, { visitCount: { type: 'Property', value: 12 } });
      const [got] = await rx.waitFor(1, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      const seen = JSON.stringify(rx.received.map((r) => r.body));
      const leaks = forbidden.filter((f) => seen.includes(f));
      attempts.push({ who: 'police', what: 'notifications of a subscription', leaks });
      expect(leaks).toEqual([]);
      expect(rx.received).toHaveLength(1);
      expect(got!.body.data).toMatchObject([{ id: XIHU[0], visitCount: { value: 12 } }]);
      // Nobody else sees the police's subscription.
      const other = await refused('transport', `/ngsi-ld/v1/subscriptions/${subscriptionId}`, [
        'police',
        rx.url,
      ]);
      expect(other.status).toBe(404);
      expect((await refused('transport', '/ngsi-ld/v1/subscriptions', [rx.url])).body).toEqual([]);
    });

    it('sees granted rows only on the cockpit’s live stream', async () => {
      const controller = new AbortController();
      const res = await fetch(
        `${node.url}/api/v1/events?access_token=${tokens.police}&purpose=epidemic-control`,
        { signal: controller.signal },
      );
      expect(res.status).toBe(200);
      let text = '';
      const reading = (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of res.body!) text += decoder.decode(chunk as Uint8Array);
        } catch {
          // aborted
        }
      })();
      await new Promise((r) => setTimeout(r, 300));
      await asOperator(`/ngsi-ld/v1/entities/${GONGSHU[1]}/attrs`, {
        method: 'PATCH',
        json: { visitCount: { type: 'Property', value: 70 } },
      });
      await asOperator(`/ngsi-ld/v1/entities/${XIHU[1]}/attrs`, {
        method: 'PATCH',
        json: { visitCount: { type: 'Property', value: 71 } },
      });
      const until = Date.now() + 10_000;
      while (!text.includes(XIHU[1]!) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1500));
      controller.abort();
      await reading;
      const leaks = forbidden.filter((f) => text.includes(f));
      attempts.push({ who: 'police', what: 'GET /api/v1/events (stream)', leaks });
      expect(leaks).toEqual([]);
      expect(text).toContain(XIHU[1]);
      const alerts = await refused('police', '/api/v1/alerts', forbidden);
      expect(alerts.body).toEqual([]);
    });
  });

  describe('callers without a grant', () => {
    const forbidden = [...ALL_VISITS, ...SECRETS, 'SECRET'];

    it('another department reads nothing of the dataset, on any path', async () => {
      const paths = [
        `/ngsi-ld/v1/entities/${XIHU[0]}`,
        '/ngsi-ld/v1/entities?type=FeverClinicVisit&count=true',
        '/ngsi-ld/v1/entities?idPattern=.*&count=true',
        `/ngsi-ld/v1/temporal/entities/${XIHU[0]}`,
        '/ngsi-ld/v1/temporal/entities?type=FeverClinicVisit',
        '/ngsi-ld/v1/types?details=true',
        '/ngsi-ld/v1/types/FeverClinicVisit',
        '/ngsi-ld/v1/attributes?details=true',
        `/api/v1/grants/${grantId}`,
        '/api/v1/grants',
        '/api/v1/devices',
        '/api/v1/dead-letters',
        '/api/v1/access-log',
      ];
      for (const path of paths) {
        const res = await refused('transport', path, [...forbidden, grantId]);
        expect([200, 403, 404], path).toContain(res.status);
      }
      const pub = await refused(
        'transport',
        '/ngsi-ld/v1/entities?type=AirQualityObserved',
        forbidden,
      );
      expect(ids(pub.body)).toEqual(['urn:ngsi-ld:AirQualityObserved:1']);
    });

    it('a caller without a token reads public data only, and nothing else', async () => {
      const anonymous = async (path: string, init: RequestInit = {}) => {
        const res = await fetch(node.url + path, init);
        const text = await res.text();
        const leaks = [...forbidden, 'SECRET'].filter((f) => text.includes(f) && !path.includes(f));
        attempts.push({ who: 'anonymous', what: `${init.method ?? 'GET'} ${path}`, leaks });
        expect(leaks, path).toEqual([]);
        return { status: res.status, text };
      };
      const pub = await anonymous('/ngsi-ld/v1/entities?type=AirQualityObserved');
      expect(pub.status).toBe(200);
      expect(pub.text).toContain('urn:ngsi-ld:AirQualityObserved:1');
      for (const path of [
        '/ngsi-ld/v1/entities?type=FeverClinicVisit',
        `/ngsi-ld/v1/entities/${XIHU[0]}`,
        '/ngsi-ld/v1/entities?idPattern=.*',
        '/ngsi-ld/v1/types?details=true',
        `/ngsi-ld/v1/temporal/entities/${GONGSHU[0]}`,
      ])
        expect([200, 404], path).toContain((await anonymous(path)).status);
      for (const path of ['/ngsi-ld/v1/subscriptions', '/api/v1/grants', '/api/v1/access-log'])
        expect((await anonymous(path)).status, path).toBe(401);
      const write = await anonymous('/ngsi-ld/v1/entities', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'urn:ngsi-ld:AirQualityObserved:x',
          type: 'AirQualityObserved',
        }),
      });
      expect(write.status).toBe(401);
    });

    it('forged, expired and misaddressed tokens are refused with a 401', async () => {
      for (const who of ['forged', 'expired', 'otherAudience', 'cbk_x_not-a-key']) {
        const res = await refused(who, '/ngsi-ld/v1/entities?type=FeverClinicVisit', forbidden);
        expect(res.status, who).toBe(401);
      }
    });

    it('cannot raise its own rights: keys, tenants, datasets, approvals', async () => {
      const key = await refused('policeAdmin', '/api/v1/api-keys', forbidden, {
        method: 'POST',
        json: { name: 'inside job', organisation: 'health', roles: ['owner'] },
      });
      expect(key.status).toBe(403);
      const tenants = await refused('policeAdmin', '/api/v1/organisations/police', forbidden, {
        method: 'PUT',
        json: {
          id: 'police',
          name: { en: 'police' },
          kind: 'department',
          tenants: ['community-a'],
        },
      });
      expect(tenants.status).toBe(403);
      const dataset = await refused('policeAdmin', '/api/v1/datasets/FeverClinicVisit', forbidden, {
        method: 'PUT',
        json: { id: 'FeverClinicVisit', owner: 'police', classification: 'public' },
      });
      expect(dataset.status).toBe(403);
      const asked = await api({ url: node.url, token: tokens.research! }, '/api/v1/grants', {
        method: 'POST',
        json: {
          target: 'FeverClinicVisit',
          attributes: ['patientName'],
          purpose: 'research',
          validFrom: new Date().toISOString(),
          validUntil: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      const self = await refused('research', `/api/v1/grants/${asked.body.id}/approve`, forbidden, {
        method: 'POST',
      });
      expect(self.status).toBe(403);
      const still = await refused(
        'research',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit',
        forbidden,
        {
          purpose: 'research',
        },
      );
      expect(still.body).toEqual([]);
    });

    it('a device cannot publish to another device’s topic', async () => {
      for (const id of ['aq-victim', 'aq-intruder'])
        expect(
          (
            await asOperator('/api/v1/devices', {
              method: 'POST',
              json: { id, entityType: 'AirQualityObserved', secret: 'device-secret-0123456789' },
            })
          ).status,
        ).toBe(201);
      const intruder = await connectAsync(node.mqttUrl, {
        username: 'aq-intruder',
        password: 'device-secret-0123456789',
        clientId: 'aq-intruder',
        reconnectPeriod: 0,
      });
      mqtt.push(intruder);
      const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
      intruder.publish('citybrain/v1/devices/aq-victim/attrs', JSON.stringify({ pm25: 999 }), {
        qos: 1,
      });
      await closed;
      const victim = await asOperator(
        '/ngsi-ld/v1/entities?type=AirQualityObserved&q=pm25==999&count=true',
      );
      attempts.push({
        who: 'device aq-intruder',
        what: 'PUBLISH citybrain/v1/devices/aq-victim/attrs',
        leaks: victim.headers.get('ngsild-results-count') === '0' ? [] : ['stored'],
      });
      expect(victim.headers.get('ngsild-results-count')).toBe('0');
    });
  });

  describe('the owner', () => {
    it('sees who read its data, why and under which grant; others may not', async () => {
      const log = await api(
        { url: node.url, token: tokens.health! },
        '/api/v1/access-log?limit=500',
      );
      expect(log.status).toBe(200);
      const records = log.body.records as Record<string, unknown>[];
      expect(records.length).toBeGreaterThan(10);
      expect(records.every((r) => r.owner === 'health')).toBe(true);
      expect(records).toContainEqual(
        expect.objectContaining({
          actor: 'officer.li',
          organisation: 'police',
          purpose: 'epidemic-control',
          grants: [grantId],
          action: 'entity.read',
          resource: XIHU[0],
          result: 'allow',
          records: 1,
        }),
      );
      expect(records).toContainEqual(
        expect.objectContaining({ organisation: 'transport', result: 'deny', reason: 'no-grant' }),
      );
      expect(records).toContainEqual(
        expect.objectContaining({ action: 'notify', resource: `subscription:${subscriptionId}` }),
      );
      const denied = await refused('police', '/api/v1/access-log', ['officer.li']);
      expect(denied.status).toBe(403);
    });
  });

  describe('when the grant ends', () => {
    it('a revoked grant stops reads and notifications at once', async () => {
      const revoked = await api(
        { url: node.url, token: tokens.health! },
        `/api/v1/grants/${grantId}/revoke`,
        { method: 'POST' },
      );
      expect(revoked.status).toBe(200);
      const forbidden = [...ALL_VISITS, ...SECRETS];
      expect((await refused('police', `/ngsi-ld/v1/entities/${XIHU[0]}`, forbidden)).status).toBe(
        404,
      );
      const query = await refused(
        'police',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit&count=true',
        forbidden,
      );
      expect(query.headers.get('ngsild-results-count')).toBe('0');
      const before = rx.received.length;
      await asOperator(`/ngsi-ld/v1/entities/${XIHU[0]}/attrs`, {
        method: 'PATCH',
        json: { visitCount: { type: 'Property', value: 13 } },
      });
      await new Promise((r) => setTimeout(r, 1500));
      attempts.push({
        who: 'police',
        what: 'notifications after revocation',
        leaks: rx.received.length === before ? [] : ['notified'],
      });
      expect(rx.received.length).toBe(before);
    });

    it('an expired grant reads nothing', async () => {
      const asked = await api({ url: node.url, token: tokens.research! }, '/api/v1/grants', {
        method: 'POST',
        json: {
          target: 'FeverClinicVisit',
          attributes: ['visitCount'],
          purpose: 'research',
          validFrom: new Date(Date.now() - 1000).toISOString(),
          validUntil: new Date(Date.now() + 2500).toISOString(),
        },
      });
      expect(asked.status).toBe(201);
      await api(
        { url: node.url, token: tokens.health! },
        `/api/v1/grants/${asked.body.id}/approve`,
        {
          method: 'POST',
        },
      );
      const during = await refused(
        'research',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit',
        SECRETS,
        {
          purpose: 'research',
        },
      );
      expect(ids(during.body)).toEqual([...GONGSHU, ...XIHU].sort());
      await new Promise((r) => setTimeout(r, 3000));
      const after = await refused(
        'research',
        '/ngsi-ld/v1/entities?type=FeverClinicVisit',
        ALL_VISITS,
        {
          purpose: 'research',
        },
      );
      expect(after.body).toEqual([]);
    });
  });

  it('counted every attempt, and none leaked', () => {
    const leaks = attempts.filter((a) => a.leaks.length > 0);
    expect(attempts.length).toBeGreaterThan(60);
    expect(leaks).toEqual([]);
  });
});
