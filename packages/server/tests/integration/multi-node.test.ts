import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { MosquittoDynsec } from '../../src/ingest/index.js';
import {
  mosquittoInstalled,
  startMosquitto,
  type MosquittoProcess,
} from '../../src/ingest/testing/mosquitto-process.js';
import { startReceiver, type Receiver } from '../conformance/helpers/receiver.js';
import { serviceAvailable, servicesRequired, SERVICES } from '../helpers/services.js';
import { api, startCitybrain, type StartedCitybrain } from '../helpers/start-server.js';

// The scale-out shape on loopback: three `citybrain up` processes sharing one PostgreSQL
// database, one NATS JetStream stream and one Mosquitto with dynamic security.
const ready =
  (await serviceAvailable('postgres')) &&
  (await serviceAvailable('nats')) &&
  mosquittoInstalled(servicesRequired);

const run = randomBytes(4).toString('hex');
const DATABASE = `cb_multinode_${run}`;
const TOKEN = randomBytes(18).toString('base64url');
const INGEST = { username: 'citybrain-ingest', password: randomBytes(12).toString('hex') };
const TYPE = 'WeatherObserved';

async function admin<T>(sql: string, database?: string): Promise<T[]> {
  const url = new URL(SERVICES.postgres);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!ready)('three nodes over PostgreSQL, NATS JetStream and Mosquitto', () => {
  let broker: MosquittoProcess;
  let receiver: Receiver;
  const nodes = new Map<string, StartedCitybrain>();
  /** Every process started, a killed one included: its log tells what it did before dying. */
  const started: { id: string; node: StartedCitybrain }[] = [];
  const devices: MqttClient[] = [];

  /** On a failure, what the nodes warned about and what the broker dropped, for CI's log. */
  function reportOnFailure(): void {
    onTestFailed(() => {
      for (const { id, node: n } of started) {
        const lines = n.output.filter((l) => /"level":(40|50|60)|takeover|session/.test(l));
        process.stderr.write(
          `--- node ${id} (${lines.length} lines)\n${lines.slice(-80).join('\n')}\n`,
        );
      }
      const dropped = broker
        .log()
        .split('\n')
        .filter((l) => /drop|denied|error|warning/i.test(l));
      process.stderr.write(
        `--- broker (${dropped.length} lines)\n${dropped.slice(-40).join('\n')}\n`,
      );
    });
  }

  const databaseUrl = () => {
    const url = new URL(SERVICES.postgres);
    url.pathname = `/${DATABASE}`;
    return url.toString();
  };

  async function startNode(id: string): Promise<StartedCitybrain> {
    const node = await startCitybrain({
      token: TOKEN,
      args: ['--store', databaseUrl(), '--bus', SERVICES.nats, '--mqtt', broker.url],
      env: {
        CITYBRAIN_NODE_ID: id,
        CITYBRAIN_BUS__STREAM: `CB_MULTINODE_${run}`,
        CITYBRAIN_BUS__SUBJECT_PREFIX: `cbmn${run}`,
        CITYBRAIN_MQTT__USERNAME: INGEST.username,
        CITYBRAIN_MQTT__PASSWORD: INGEST.password,
        CITYBRAIN_MQTT__CONNECTIONS: '4',
        CITYBRAIN_MQTT__DYNSEC__USERNAME: broker.admin.username,
        CITYBRAIN_MQTT__DYNSEC__PASSWORD: broker.admin.password,
        CITYBRAIN_LOG__LEVEL: 'info',
      },
      timeoutMs: 60_000,
    });
    nodes.set(id, node);
    started.push({ id, node });
    return node;
  }

  const node = (id: string) => nodes.get(id)!;

  /** Registers a device through `via` and connects it to the broker with its own account. */
  async function device(via: StartedCitybrain, id: string, entityType = TYPE): Promise<MqttClient> {
    const secret = randomBytes(12).toString('hex');
    const res = await api(via, '/api/v1/devices', {
      method: 'POST',
      json: { id, entityType, secret },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const client = await connectAsync(broker.url, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    devices.push(client);
    return client;
  }

  /** Temperature values stored for a device's entity, read through `via`. */
  async function stored(via: StartedCitybrain, deviceId: string): Promise<number[]> {
    const res = await api(
      via,
      `/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:${TYPE}:${deviceId}?attrs=temperature&options=temporalValues&lastN=100000`,
    );
    if (res.status === 404) return [];
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return ((res.body.temperature?.values ?? []) as [number, string][]).map(([v]) => v);
  }

  /**
   * Probes until `ok`, or until the probe's `progress` stops growing for `idleMs`: a slow
   * machine gets the time its backlog needs, a lost message fails the test all the same.
   */
  async function settle<T>(
    probe: () => Promise<T>,
    ok: (v: T) => boolean,
    progress: (v: T) => number,
    { idleMs = 15_000, maxMs = 90_000 } = {},
  ): Promise<T> {
    const end = Date.now() + maxMs;
    let last = await probe();
    let best = progress(last);
    let movedAt = Date.now();
    while (!ok(last) && Date.now() < end && Date.now() - movedAt < idleMs) {
      await new Promise((r) => setTimeout(r, 250));
      last = await probe();
      if (progress(last) > best) {
        best = progress(last);
        movedAt = Date.now();
      }
    }
    return last;
  }

  const allStored = (via: StartedCitybrain, ids: string[]) =>
    Promise.all(ids.map((id) => stored(via, id)));
  const count = (all: number[][]) => all.reduce((n, v) => n + v.length, 0);

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${DATABASE}`);
    broker = await startMosquitto();
    // The operator's one-time step: the nodes' own account on the broker (docs/mqtt-external.md).
    const dynsec = await MosquittoDynsec.connect({
      url: broker.url,
      ...broker.admin,
      logger: pino({ level: 'silent' }),
    });
    await dynsec.ensureIngestAccount({ ...INGEST, group: 'citybrain' });
    await dynsec.close();
    receiver = await startReceiver();
    // Nodes start together: migrations and stream setup must not race.
    await Promise.all(['a', 'b', 'c'].map(startNode));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.endAsync(true)));
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    await receiver?.close();
    await broker?.stop();
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  }, 120_000);

  it('serves through node B an entity written through node A, and queries it through C', async () => {
    const id = `urn:ngsi-ld:Streetlight:mn-${run}`;
    const created = await api(node('a'), '/ngsi-ld/v1/entities', {
      method: 'POST',
      json: {
        id,
        type: 'Streetlight',
        powerState: { type: 'Property', value: 'on' },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [120.16, 30.27] } },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const got = await api(node('b'), `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
    expect(got.status).toBe(200);
    expect(got.body.powerState.value).toBe('on');
    const near = await api(
      node('c'),
      `/ngsi-ld/v1/entities?type=Streetlight&q=powerState=="on"&georel=near;maxDistance==500&geometry=Point&coordinates=[120.161,30.271]`,
    );
    expect(near.status).toBe(200);
    expect(near.body.map((e: { id: string }) => e.id)).toContain(id);
    // A write on C is seen at once on A: no node caches entities.
    await api(node('c'), `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, {
      method: 'PATCH',
      json: { powerState: { type: 'Property', value: 'off' } },
    });
    const after = await api(node('a'), `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
    expect(after.body.powerState.value).toBe('off');
  });

  it('notifies once, for a subscription created on A, when another node ingests', async () => {
    const sub = await api(node('a'), '/ngsi-ld/v1/subscriptions', {
      method: 'POST',
      json: {
        type: 'Subscription',
        entities: [{ type: TYPE }],
        watchedAttributes: ['temperature'],
        notification: { endpoint: { uri: `${receiver.url}/notify`, accept: 'application/json' } },
      },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    await new Promise((r) => setTimeout(r, 1000)); // every node learns of it through the bus
    const meter = await device(node('b'), `sub-${run}`);
    // One at a time: through an external broker a device's PUBACK does not wait for citybrain,
    // so back-to-back messages may be committed in any order (the newest observedAt wins).
    for (let i = 0; i < 3; i++) {
      await meter.publishAsync(
        `citybrain/v1/devices/sub-${run}/attrs`,
        JSON.stringify({ observedAt: Date.UTC(2026, 0, 1, 0, i), temperature: 10 + i }),
        { qos: 1 },
      );
      const got = await receiver.waitFor(i + 1, (r) => r.path === '/notify', 15_000);
      expect(got.length).toBeGreaterThanOrEqual(i + 1);
      expect(got[i]!.body.data[0].temperature.value).toBe(10 + i);
    }
    await new Promise((r) => setTimeout(r, 1500));
    // One notification per change, not one per node.
    expect(receiver.at('/notify')).toHaveLength(3);
  }, 60_000);

  it('loses no acknowledged observation when a node is SIGKILLed during ingest; the others take over, and it rejoins', async () => {
    reportOnFailure();
    const ids = Array.from({ length: 6 }, (_, i) => `kill-${run}-${i}`);
    const clients = await Promise.all(ids.map((id, i) => device(node(i % 2 ? 'a' : 'b'), id)));
    const acked = new Map<string, number[]>(ids.map((id) => [id, []]));
    let seq = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        const n = seq++;
        await Promise.all(
          clients.map(async (c, i) => {
            const id = ids[i]!;
            await c.publishAsync(
              `citybrain/v1/devices/${id}/attrs`,
              JSON.stringify({ observedAt: Date.UTC(2026, 1, 1) + n * 1000, temperature: n }),
              { qos: 1 },
            );
            acked.get(id)!.push(n); // the broker acknowledged it to the device
          }),
        );
        // About 300 messages/s, steady: within what three nodes ingest on two cores shared
        // with the rest of the test suite, so that what is measured is loss, not backlog.
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 2000));
    await node('c').kill();
    await new Promise((r) => setTimeout(r, 4000));
    // While C is down, the survivors store everything that keeps arriving, C's share included.
    const ackedWhileDown = new Map([...acked].map(([id, ns]) => [id, [...ns]]));
    const storedWhileDown = await settle(
      () => allStored(node('a'), ids),
      (all) => all.every((v, i) => ackedWhileDown.get(ids[i]!)!.every((n) => v.includes(n))),
      count,
    );
    for (const [i, values] of storedWhileDown.entries())
      expect(ackedWhileDown.get(ids[i]!)!.filter((n) => !values.includes(n))).toEqual([]);

    const restarted = await startNode('c');
    await new Promise((r) => setTimeout(r, 3000));
    publishing = false;
    await publisher;
    const want = ids.map((id) =>
      acked
        .get(id)!
        .slice()
        .sort((x, y) => x - y),
    );
    const got = await settle(
      () => allStored(node('b'), ids),
      (all) => all.every((v, i) => v.length >= want[i]!.length),
      count,
    );
    // Every acknowledged observation, exactly once.
    for (const [i, values] of got.entries())
      expect(values.slice().sort((x, y) => x - y)).toEqual(want[i]);
    // The restarted node takes a share of the work again.
    const metrics = String((await api(restarted, '/metrics')).body);
    const taken = /citybrain_ingest_observations_total\{source="mqtt"\} (\d+)/.exec(metrics);
    expect(Number(taken?.[1] ?? 0)).toBeGreaterThan(0);
  }, 300_000);

  it('evaluates a city-wide window once across the nodes; another node carries its alert on when the holder dies', async () => {
    reportOnFailure();
    const WINDOW = 30_000;
    const rule = {
      id: `crowd-${run}`,
      kind: 'aggregate',
      name: 'Crowded city',
      severity: 'medium',
      category: 'safety',
      select: { entityType: 'CrowdCounter' },
      function: 'count',
      window: { type: 'tumbling', sizeSeconds: WINDOW / 1000 },
      groupBy: 'all',
      operator: '>=',
      // 4 devices x 4/s x 30 s = 480 per window: no node alone sees 360 of them (a queue
      // group would have given each node its devices' share only).
      value: 360,
    };
    const put = await api(node('a'), `/api/v1/rules/${rule.id}`, { method: 'PUT', json: rule });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    type Lease = { holder: string; expiresAt: number; epoch: number };
    const lease = async () =>
      (
        await admin<{ doc: Lease }>(
          `SELECT doc FROM citybrain.collections WHERE name = 'rules.leases' AND id = '${rule.id}'`,
          DATABASE,
        )
      )[0]?.doc;
    await vi.waitFor(async () => expect((await lease())?.expiresAt).toBeGreaterThan(Date.now()), {
      timeout: 20_000,
    });
    const first = (await lease())!.holder;

    // Each rule is evaluated by one node: the nodes' shares add up to the active rules.
    const active = ((await api(node('a'), '/api/v1/rules')).body as { rule: { status?: string } }[])
      .length;
    const held = async () => {
      let n = 0;
      for (const id of ['a', 'b', 'c']) {
        const metrics = String((await api(node(id), '/metrics')).body);
        n += Number(/^citybrain_rules_held (\d+)/m.exec(metrics)?.[1] ?? NaN);
      }
      return n;
    };
    await vi.waitFor(async () => expect(await held()).toBe(active), { timeout: 20_000 });

    const ids = Array.from({ length: 4 }, (_, i) => `crowd-${run}-${i}`);
    const clients = await Promise.all(
      ids.map((id, i) => device(node(i % 2 ? 'a' : 'b'), id, 'CrowdCounter')),
    );
    const acked: number[] = [];
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await Promise.all(
          clients.map(async (c, i) => {
            const observedAt = Date.now();
            await c.publishAsync(
              `citybrain/v1/devices/${ids[i]}/attrs`,
              JSON.stringify({ observedAt, people: 1 }),
              { qos: 1 },
            );
            acked.push(observedAt);
          }),
        );
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    type Alert = {
      id: string;
      rule: string;
      status: string;
      validFrom: string;
      description: string;
    };
    const alerts = async () =>
      ((await api([...nodes.values()][0]!, '/api/v1/alerts?limit=100')).body as Alert[]).filter(
        (a) => a.rule === rule.id,
      );
    // The first whole window raises it (up to two windows and the lateness away).
    await vi.waitFor(async () => expect(await alerts()).toHaveLength(1), {
      timeout: 2 * WINDOW + 30_000,
      interval: 500,
    });
    const [raised] = await alerts();
    // The same count a single node would have made: every observation of its window.
    const end = Date.parse(raised!.validFrom);
    const inWindow = acked.filter((t) => t >= end - WINDOW && t < end).length;
    expect(raised!.description).toContain(`(${inWindow})`);

    // The holder dies: another node takes the rule over once its lease ran out.
    const killedAt = Date.now();
    await node(first).kill();
    nodes.delete(first);
    await vi.waitFor(
      async () => {
        const now = await lease();
        expect(now?.holder).not.toBe(first);
        expect(now!.expiresAt).toBeGreaterThan(Date.now());
      },
      { timeout: 30_000, interval: 200 },
    );
    const takeoverMs = Date.now() - killedAt;
    const next = (await lease())!.holder;
    process.stderr.write(
      `multi-node rules: ${first} killed, ${next} took ${rule.id} over in ${takeoverMs} ms\n`,
    );
    expect(takeoverMs).toBeLessThan(15_000 + 5_000 + 2_000); // the TTL, a round, a margin

    // A window closes on the new holder with the condition still holding: the same alert.
    await new Promise((r) => setTimeout(r, WINDOW + 15_000));
    expect((await alerts()).map((a) => [a.id, a.status])).toEqual([[raised!.id, 'raised']]);

    // The crowd leaves: the new holder resolves the alert when the next window closes.
    publishing = false;
    await publisher;
    await vi.waitFor(async () => expect((await alerts())[0]?.status).toBe('resolved'), {
      timeout: 2 * WINDOW + 20_000,
      interval: 500,
    });
    expect(await alerts()).toHaveLength(1);
    const resolvedBy = nodes
      .get(next)!
      .output.filter((l) => l.includes('alert resolved') && l.includes(raised!.id));
    expect(resolvedBy).toHaveLength(1);
  }, 360_000);
});
