import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PM25_HIGH_RULE } from '../../src/brain/index.js';
import { api, startCitybrain, type StartedCitybrain } from '../helpers/start-server.js';

const SECRET = 'aq-test-secret-0123456789';
let server: StartedCitybrain;
const clients: MqttClient[] = [];

async function registerDevice(id: string, secret = SECRET) {
  const res = await api(server, '/api/v1/devices', {
    method: 'POST',
    json: {
      id,
      entityType: 'AirQualityObserved',
      name: `Station ${id}`,
      secret,
      units: { pm25: 'GQ', temperature: 'CEL' },
      attributes: {
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [120.16, 30.27] } },
        areaServed: { type: 'Property', value: 'xihu' },
      },
    },
  });
  expect(res.status).toBe(201);
  return res.body as { entityId: string; secret: string };
}

async function connectDevice(id: string, secret = SECRET): Promise<MqttClient> {
  const client = await connectAsync(server.mqttUrl, {
    username: id,
    password: secret,
    clientId: id,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startCitybrain({
    config: {
      rules: [{ ...PM25_HIGH_RULE, forSeconds: 60 }],
      devices: [
        {
          id: 'bin-cfg',
          entityType: 'WasteContainer',
          secret: 'bin-config-secret-0123',
          units: { fillingLevel: 'P1' },
        },
      ],
    },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  expect(await server.stop()).toBe(0);
});

describe('MQTT ingest, read back through NGSI-LD', () => {
  it('updates the entity and its time series as soon as a QoS 1 publish is acknowledged', async () => {
    const { entityId } = await registerDevice('aq-1');
    const device = await connectDevice('aq-1');
    for (let i = 0; i < 5; i++)
      await device.publishAsync(
        'citybrain/v1/devices/aq-1/attrs',
        JSON.stringify({
          observedAt: `2026-11-23T08:0${i}:00.000Z`,
          pm25: 30 + i,
          temperature: 12.5,
        }),
        { qos: 1 },
      );
    // No waiting: the PUBACK comes only after the write is durable and queryable.
    const entity = await api(server, `/ngsi-ld/v1/entities/${entityId}`);
    expect(entity.status).toBe(200);
    expect(entity.body.pm25).toEqual({
      type: 'Property',
      value: 34,
      observedAt: '2026-11-23T08:04:00.000Z',
      unitCode: 'GQ',
    });
    expect(entity.body.areaServed.value).toBe('xihu');
    const kv = await api(server, `/ngsi-ld/v1/entities/${entityId}?options=keyValues`);
    expect(kv.body).toMatchObject({
      id: entityId,
      type: 'AirQualityObserved',
      pm25: 34,
      temperature: 12.5,
    });
    const series = await api(
      server,
      `/ngsi-ld/v1/temporal/entities/${entityId}?attrs=pm25&options=temporalValues`,
    );
    expect(series.status).toBe(200);
    expect(series.body.pm25.values).toEqual(
      [0, 1, 2, 3, 4].map((i) => [30 + i, `2026-11-23T08:0${i}:00.000Z`]),
    );
    const query = await api(server, `/ngsi-ld/v1/entities?type=AirQualityObserved&q=pm25>33`);
    expect(query.body.map((e: { id: string }) => e.id)).toEqual([entityId]);
  });

  it('registers the devices listed in the config file at start', async () => {
    const device = await connectDevice('bin-cfg', 'bin-config-secret-0123');
    await device.publishAsync('citybrain/v1/devices/bin-cfg/attrs', '{"fillingLevel": 0.8}', {
      qos: 1,
    });
    const entity = await api(server, '/ngsi-ld/v1/entities/urn:ngsi-ld:WasteContainer:bin-cfg');
    expect(entity.body.fillingLevel).toMatchObject({ value: 0.8, unitCode: 'P1' });
  });

  it('keeps a late observation in the series without overwriting the newer current value', async () => {
    const { entityId } = await registerDevice('aq-late');
    const device = await connectDevice('aq-late');
    const topic = 'citybrain/v1/devices/aq-late/attrs';
    await device.publishAsync(
      topic,
      JSON.stringify({ observedAt: '2026-11-23T09:00:00Z', pm25: 50 }),
      { qos: 1 },
    );
    await device.publishAsync(
      topic,
      JSON.stringify({ observedAt: '2026-11-23T08:00:00Z', pm25: 10 }),
      { qos: 1 },
    );
    const entity = await api(server, `/ngsi-ld/v1/entities/${entityId}?options=keyValues`);
    expect(entity.body.pm25).toBe(50);
    const series = await api(
      server,
      `/ngsi-ld/v1/temporal/entities/${entityId}?attrs=pm25&options=temporalValues`,
    );
    expect(series.body.pm25.values.map((v: unknown[]) => v[0])).toEqual([10, 50]);
  });

  it('keeps a reported position a GeoProperty that geo-queries find, and refuses one that is none', async () => {
    const { entityId } = await registerDevice('aq-moving');
    const device = await connectDevice('aq-moving');
    const topic = 'citybrain/v1/devices/aq-moving/attrs';
    const moved = { type: 'Point', coordinates: [120.3, 30.4] };
    await device.publishAsync(
      topic,
      JSON.stringify({ observedAt: '2026-11-23T11:00:00Z', location: moved, pm25: 9 }),
      { qos: 1 },
    );
    const entity = await api(server, `/ngsi-ld/v1/entities/${entityId}`);
    expect(entity.body.location).toEqual({
      type: 'GeoProperty',
      value: moved,
      observedAt: '2026-11-23T11:00:00.000Z',
    });
    const near = async (lon: number, lat: number) => {
      const res = await api(
        server,
        `/ngsi-ld/v1/entities?type=AirQualityObserved&georel=${encodeURIComponent('near;maxDistance==100')}` +
          `&geometry=Point&coordinates=${encodeURIComponent(JSON.stringify([lon, lat]))}`,
      );
      expect(res.status).toBe(200);
      return res.body.map((e: { id: string }) => e.id) as string[];
    };
    expect(await near(120.3, 30.4)).toContain(entityId);
    expect(await near(120.16, 30.27)).not.toContain(entityId); // where it was registered
    const history = await api(server, `/ngsi-ld/v1/temporal/entities/${entityId}?attrs=location`);
    expect(history.status).toBe(200);
    expect([history.body.location].flat()).toContainEqual(
      expect.objectContaining({ type: 'GeoProperty', value: moved }),
    );
    await device.publishAsync(topic, JSON.stringify({ location: 'garage', pm25: 10 }), { qos: 1 });
    await device.publishAsync(
      topic,
      JSON.stringify({ location: { type: 'Point', coordinates: [200, 30] } }),
      { qos: 1 },
    );
    const letters = await api(server, '/api/v1/dead-letters?reason=invalid-observation&limit=50');
    const details = letters.body
      .filter((l: { deviceId?: string }) => l.deviceId === 'aq-moving')
      .map((l: { detail: string }) => l.detail);
    expect(details).toHaveLength(2);
    expect(details).toContainEqual(
      expect.stringMatching(/^attribute location of .* is a GeoProperty/),
    );
    expect(details).toContainEqual(
      expect.stringMatching(/^attribute location is not a valid GeoJSON geometry/),
    );
    const after = await api(server, `/ngsi-ld/v1/entities/${entityId}?options=keyValues`);
    expect(after.body).toMatchObject({ location: moved, pm25: 9 });
    // Over HTTP the device hears of it; the observation its entity could take is stored.
    const viaHttp = await fetch(`${server.url}/api/v1/ingest/aq-moving`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ pm25: 11 }, { location: 'garage' }]),
    });
    expect(viaHttp.status).toBe(400);
    expect(await viaHttp.json()).toMatchObject({
      title: 'BadRequestData',
      detail: expect.stringMatching(/^1 of 2 observations refused \(the other 1 stored\)/),
    });
    const last = await api(server, `/ngsi-ld/v1/entities/${entityId}?options=keyValues`);
    expect(last.body).toMatchObject({ location: moved, pm25: 11 });
  });

  it('refuses bad credentials and unknown devices at CONNECT and dead-letters them', async () => {
    await registerDevice('aq-2');
    await expect(connectDevice('aq-2', 'wrong-secret-000000000')).rejects.toThrow(
      /bad user ?name or password/i,
    );
    await expect(connectDevice('nobody', SECRET)).rejects.toThrow(/bad user ?name or password/i);
    const letters = await api(server, '/api/v1/dead-letters?reason=bad-credentials');
    expect(letters.body.some((l: { deviceId?: string }) => l.deviceId === 'aq-2')).toBe(true);
    const unknown = await api(server, '/api/v1/dead-letters?reason=unknown-device');
    expect(unknown.body.some((l: { deviceId?: string }) => l.deviceId === 'nobody')).toBe(true);
  });

  it('disconnects a device that publishes to another device topic and leaves that entity alone', async () => {
    const victim = await registerDevice('aq-victim');
    await registerDevice('aq-intruder');
    const intruder = await connectDevice('aq-intruder');
    const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
    intruder.publish('citybrain/v1/devices/aq-victim/attrs', JSON.stringify({ pm25: 999 }), {
      qos: 1,
    });
    await closed;
    const entity = await api(server, `/ngsi-ld/v1/entities/${victim.entityId}?options=keyValues`);
    expect(entity.body.pm25).toBeUndefined();
    const letters = await api(server, '/api/v1/dead-letters?reason=topic-not-allowed');
    expect(letters.body[0]).toMatchObject({
      deviceId: 'aq-intruder',
      topic: 'citybrain/v1/devices/aq-victim/attrs',
      source: 'mqtt',
    });
  });

  it('acknowledges but dead-letters a malformed payload, with its reason, and counts it', async () => {
    const { entityId } = await registerDevice('aq-3');
    const device = await connectDevice('aq-3');
    await device.publishAsync('citybrain/v1/devices/aq-3/attrs', '{"pm25": 12', { qos: 1 });
    await device.publishAsync(
      'citybrain/v1/devices/aq-3/attrs',
      '{"observedAt": "yesterday", "pm25": 1}',
      {
        qos: 1,
      },
    );
    const letters = await api(server, '/api/v1/dead-letters?limit=10');
    const mine = letters.body.filter((l: { deviceId?: string }) => l.deviceId === 'aq-3');
    expect(mine.map((l: { reason: string }) => l.reason).sort()).toEqual([
      'invalid-observation',
      'malformed-payload',
    ]);
    expect(mine.find((l: { reason: string }) => l.reason === 'malformed-payload').payload).toBe(
      '{"pm25": 12',
    );
    const entity = await api(server, `/ngsi-ld/v1/entities/${entityId}?options=keyValues`);
    expect(entity.body.pm25).toBeUndefined();
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /citybrain_ingest_rejected_total\{source="mqtt",reason="malformed-payload"\} [1-9]/,
    );
  });

  it('accepts HTTP ingest with the same semantics and refuses bad secrets and bodies', async () => {
    const { entityId } = await registerDevice('aq-http');
    const post = (body: string, secret = SECRET) =>
      fetch(`${server.url}/api/v1/ingest/aq-http`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body,
      });
    const ok = await post(
      JSON.stringify([
        { pm25: 5, observedAt: 1_800_000_000_000 },
        { pm25: 6, observedAt: 1_800_000_060_000 },
      ]),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ accepted: 2 });
    expect(
      (await api(server, `/ngsi-ld/v1/entities/${entityId}?options=keyValues`)).body.pm25,
    ).toBe(6);
    const bad = await post('{"pm25":', SECRET);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      title: 'BadRequestData',
      detail: expect.stringContaining('not JSON'),
    });
    expect((await post('{"pm25": 1}', 'not-the-secret-000000')).status).toBe(401);
  });

  it('raises an alert when PM2.5 stays above the limit, pushes it live and lists it', async () => {
    const { entityId } = await registerDevice('aq-alert');
    const device = await connectDevice('aq-alert');
    const events = await fetch(`${server.url}/api/v1/events?access_token=${server.token}`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    const start = Date.parse('2026-11-23T10:00:00Z');
    for (let i = 0; i <= 3; i++)
      await device.publishAsync(
        'citybrain/v1/devices/aq-alert/attrs',
        JSON.stringify({ observedAt: new Date(start + i * 30_000).toISOString(), pm25: 120 + i }),
        { qos: 1 },
      );
    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: alert') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    expect(text).toContain('event: alert');
    const alerts = await api(server, '/api/v1/alerts?status=raised');
    const alert = alerts.body.find((a: { alertSource: string }) => a.alertSource === entityId);
    expect(alert).toMatchObject({
      type: 'Alert',
      severity: 'high',
      status: 'raised',
      rule: 'pm25-high',
      areaServed: 'xihu',
    });
    expect(alert.evidence.length).toBeGreaterThanOrEqual(3);
    expect(alert.description).toContain('PM2.5');
  });

  it('requires the operator token on the APIs and serves health, metrics and OpenAPI', async () => {
    const anonymous = await fetch(`${server.url}/ngsi-ld/v1/types`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).type).toBe(
      'https://citybrain.dev/errors/Unauthorized',
    );
    const health = (await fetch(`${server.url}/health`).then((r) => r.json())) as any;
    expect(health).toMatchObject({ live: true, ready: true, checks: { store: true, mqtt: true } });
    const openapi = (await fetch(`${server.url}/openapi.json`).then((r) => r.json())) as any;
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/ngsi-ld/v1/entities', '/api/v1/devices']),
    );
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/citybrain_ingest_observations_total\{source="mqtt"\} \d+/);
    expect(metrics).toContain('citybrain_ingest_latency_seconds_bucket');
    expect(metrics).toContain('citybrain_http_request_duration_seconds_bucket');
  });
});
