import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { api, startCitybrain } from '../helpers/start-server.js';

const SECRET = 'meter-secret-0123456789';

describe('durability across restarts', () => {
  it('keeps every acknowledged observation through a clean stop and a SIGKILL', async () => {
    let server = await startCitybrain();
    const { dataDir, token } = server;
    const reg = await api(server, '/api/v1/devices', {
      method: 'POST',
      json: { id: 'meter-1', entityType: 'ThreePhaseAcMeasurement', secret: SECRET },
    });
    expect(reg.status).toBe(201);
    const publishBurst = async (from: number, count: number) => {
      const client = await connectAsync(server.mqttUrl, {
        username: 'meter-1',
        password: SECRET,
        reconnectPeriod: 0,
      });
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          client.publishAsync(
            'citybrain/v1/devices/meter-1/attrs',
            JSON.stringify({
              observedAt: 1_800_000_000_000 + (from + i) * 1000,
              totalActivePower: from + i,
            }),
            { qos: 1 },
          ),
        ),
      );
      await client.endAsync(true);
    };
    await publishBurst(0, 200);
    expect(await server.stop()).toBe(0);
    expect(server.output.join('\n')).toContain('stopped cleanly');

    server = await startCitybrain({ dataDir, token });
    await publishBurst(200, 300);
    await server.kill(); // every PUBACK above was sent after a durable commit

    server = await startCitybrain({ dataDir, token });
    const id = 'urn:ngsi-ld:ThreePhaseAcMeasurement:meter-1';
    const series = await api(
      server,
      `/ngsi-ld/v1/temporal/entities/${id}?attrs=totalActivePower&options=temporalValues`,
    );
    expect(series.body.totalActivePower.values).toHaveLength(500);
    const entity = await api(server, `/ngsi-ld/v1/entities/${id}?options=keyValues`);
    expect(entity.body.totalActivePower).toBe(499);
    expect(await server.stop()).toBe(0);
  });

  it('stops cleanly on SIGTERM while a cockpit holds the live event stream open', async () => {
    const server = await startCitybrain();
    const events = await fetch(`${server.url}/api/v1/events?access_token=${server.token}`);
    expect(events.status).toBe(200);
    const started = Date.now();
    expect(await server.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.output.join('\n')).toContain('stopped cleanly');
  });
});
