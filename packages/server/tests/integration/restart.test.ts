import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { api, startCitybrain, type StartedCitybrain } from '../helpers/start-server.js';

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

describe('rule state across restarts', () => {
  const ROOM = 'urn:ngsi-ld:Room:room-1';
  const hotRoom = (id: string, forSeconds: number, clear?: object) => ({
    id,
    kind: 'threshold',
    name: 'Hot room',
    severity: 'high',
    category: 'environment',
    select: { entityType: 'Room' },
    attribute: 'temperature',
    operator: '>',
    value: 30,
    forSeconds,
    ...(clear && { clear }),
  });
  /** Registers the room's sensor; answers a function posting its readings over HTTP. */
  async function roomSensor(server: StartedCitybrain) {
    const reg = await api(server, '/api/v1/devices', {
      method: 'POST',
      json: { id: 'room-1', entityType: 'Room', secret: SECRET },
    });
    expect(reg.status).toBe(201);
    return async (on: StartedCitybrain, readings: [number, number][]) => {
      const res = await fetch(`${on.url}/api/v1/ingest/room-1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          readings.map(([observedAt, temperature]) => ({ observedAt, temperature })),
        ),
      });
      expect(res.status).toBe(200);
    };
  }
  const alertsOf = async (server: StartedCitybrain, rule: string) =>
    ((await api(server, '/api/v1/alerts')).body as Record<string, unknown>[]).filter(
      (a) => a.rule === rule,
    );
  const iso = (t: number) => new Date(t).toISOString();

  it('resolves an alert whose condition ended while the node was down, saying why', async () => {
    const rule = hotRoom('hot-room', 20, { operator: '<', value: 25 });
    let server = await startCitybrain({ config: { rules: [rule] } });
    const { dataDir, token } = server;
    const post = await roomSensor(server);
    const t0 = Date.now() - 60_000; // readings of the last minute, just behind the clock
    await post(server, [
      [t0, 35],
      [t0 + 10_000, 36],
      [t0 + 25_000, 35],
    ]);
    await vi.waitFor(async () => expect(await alertsOf(server, rule.id)).toHaveLength(1), {
      timeout: 10_000,
    });
    const [raised] = await alertsOf(server, rule.id);
    expect(raised!.status).toBe('raised');
    expect(await server.stop()).toBe(0);

    // While it is down, the room cooled down: another process stored the reading.
    const store = new SqliteStore({ file: join(dataDir, 'citybrain.db') });
    const reading = { value: 20 };
    await store.ingest([
      {
        entityId: ROOM,
        entityType: 'Room',
        deviceId: 'room-1',
        observedAt: t0 + 40_000,
        attrs: { temperature: reading },
      },
    ]);
    await store.close();

    server = await startCitybrain({ dataDir, token });
    await vi.waitFor(
      async () => expect((await alertsOf(server, rule.id))[0]?.status).toBe('resolved'),
      { timeout: 15_000 },
    );
    expect(await alertsOf(server, rule.id)).toHaveLength(1);
    const history = await api(
      server,
      `/api/v1/alerts/${encodeURIComponent(String(raised!.id))}/history`,
    );
    expect(history.body.at(-1)).toMatchObject({
      action: 'resolved',
      note: expect.stringMatching(/ended while the rule was not evaluated/),
    });
    expect(server.output.join('\n')).toContain('rule state rebuilt');
    expect(await server.stop()).toBe(0);
  });

  it('fires a "for 30 s" threshold begun before a crash at its event time after the restart', async () => {
    const rule = hotRoom('hot-room-30s', 30);
    let server = await startCitybrain({ config: { rules: [rule] } });
    const { dataDir, token } = server;
    const post = await roomSensor(server);
    const t0 = Date.now() - 25_000; // the breach began 25 s ago: 5 s to go
    await post(server, [
      [t0, 35],
      [t0 + 10_000, 36],
    ]);
    await new Promise((r) => setTimeout(r, 500)); // stored and evaluated: not due yet
    expect(await alertsOf(server, rule.id)).toEqual([]);
    await server.kill();

    server = await startCitybrain({ dataDir, token });
    const next = t0 + 32_000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    await post(server, [[next, 37]]);
    await vi.waitFor(async () => expect(await alertsOf(server, rule.id)).toHaveLength(1), {
      timeout: 10_000,
    });
    const [alert] = await alertsOf(server, rule.id);
    // Held since t0, through the crash: due at t0 + 30 s (from scratch it would be t0 + 62 s).
    expect(alert).toMatchObject({ validFrom: iso(t0), dateIssued: iso(t0 + 30_000) });
    expect(await server.stop()).toBe(0);
  });
});
