import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import type { BusEvent } from '../bus/index.js';
import type { Observation } from '../core/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { IngestPipeline } from './ingest-pipeline.js';
import type { IngestMetrics } from './metrics.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function setup(bus = new MemoryBus(() => {}), commitsInFlight = 1) {
  const store = new SqliteStore({
    file: join(mkdtempSync(join(tmpdir(), 'cb-pipe-')), 'db.sqlite'),
  });
  stores.push(store);
  let running = 0;
  let mostRunning = 0;
  // A commit round trip a remote store would have, so that commits can overlap.
  const ingest = store.ingest.bind(store);
  store.ingest = async (batch) => {
    mostRunning = Math.max(mostRunning, ++running);
    await new Promise((r) => setTimeout(r, 20));
    try {
      return await ingest(batch);
    } finally {
      running--;
    }
  };
  const commits: number[] = [];
  const metrics: IngestMetrics = {
    accepted: () => {},
    rejected: () => {},
    committed: (n) => commits.push(n),
    latency: () => {},
  };
  const pipeline = new IngestPipeline({
    store,
    bus,
    logger: pino({ level: 'silent' }),
    metrics,
    maxBatch: 500,
    commits: commitsInFlight,
  });
  return { store, bus, pipeline, commits, mostRunning: () => mostRunning };
}

const obs = (i: number): Observation => ({
  entityId: `urn:ngsi-ld:AirQualityObserved:d${i % 10}`,
  entityType: 'AirQualityObserved',
  deviceId: `d${i % 10}`,
  observedAt: 1_000 + i,
  attrs: { pm25: { value: i } },
});

describe('IngestPipeline', () => {
  it('groups what arrives together into few commits and resolves each only once it is stored', async () => {
    const { store, pipeline, commits } = setup();
    const results = await Promise.all(
      Array.from({ length: 1200 }, async (_, i) => {
        await pipeline.submit([obs(i)]);
        return store.series.countFor(obs(i).entityId);
      }),
    );
    expect(results.every((n) => n > 0)).toBe(true);
    expect(commits).toEqual([500, 500, 200]);
    let total = 0;
    for (let d = 0; d < 10; d++)
      total += await store.series.countFor(`urn:ngsi-ld:AirQualityObserved:d${d}`);
    expect(total).toBe(1200);
  });

  it('publishes each observation and each changed entity after the commit', async () => {
    const { bus, pipeline } = setup();
    const events: BusEvent[] = [];
    await bus.subscribe({ topic: '*' }, (e) => void events.push(e));
    await Promise.all([pipeline.submit([obs(1)]), pipeline.submit([obs(11)])]);
    await new Promise((r) => setTimeout(r, 10));
    expect(events.filter((e) => e.topic === 'observation.accepted')).toHaveLength(2);
    const changes = events.filter((e) => e.topic === 'entity.changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.payload).toMatchObject({
      id: obs(1).entityId,
      kind: 'updated',
      entity: { pm25: { value: 11 } },
    });
  });

  it('hands each submitter the observations its entity refused, and publishes only the stored', async () => {
    const { store, bus, pipeline, commits } = setup();
    const here = { type: 'Point', coordinates: [120.1, 30.2] };
    await store.entities.write([
      {
        id: obs(1).entityId,
        mutate: () => ({
          id: obs(1).entityId,
          type: 'AirQualityObserved',
          location: { type: 'GeoProperty', value: here },
        }),
      },
    ]);
    const events: BusEvent[] = [];
    await bus.subscribe({ topic: '*' }, (e) => void events.push(e));
    const garage = { ...obs(1), attrs: { location: { value: 'garage' } } };
    const [refused, stored] = await Promise.all([
      pipeline.submit([garage]),
      pipeline.submit([obs(11)]),
    ]);
    expect(refused).toEqual([
      { observation: garage, reason: expect.stringContaining('location') as string },
    ]);
    expect(stored).toEqual([]);
    expect(commits).toEqual([1]);
    await new Promise((r) => setTimeout(r, 10));
    expect(events.filter((e) => e.topic === 'observation.accepted').map((e) => e.payload)).toEqual([
      obs(11),
    ]);
    expect((await store.entities.get(obs(1).entityId))?.location).toEqual({
      type: 'GeoProperty',
      value: here,
    });
  });

  it('rejects every submitter of a batch that could not be stored', async () => {
    const { store, pipeline } = setup();
    await store.close();
    const outcomes = await Promise.allSettled([
      pipeline.submit([obs(1)]),
      pipeline.submit([obs(2)]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('retries a failed publish until the bus takes it, in commit order, holding later commits', async () => {
    let failures = 3;
    const published: number[][] = [];
    const flaky = new MemoryBus(() => {});
    const publish = flaky.publish.bind(flaky);
    flaky.publish = async (events) => {
      if (failures-- > 0) throw new Error('NATS is down');
      published.push(
        events
          .filter((e) => e.topic === 'observation.accepted')
          .map((e) => (e.payload as Observation).observedAt),
      );
      return publish(events);
    };
    const { pipeline, commits } = setup(flaky);
    // Three batches, one after the other: the third waits for the first one's publish.
    const first = pipeline.submit([obs(1)]);
    await first;
    const second = pipeline.submit([obs(2)]);
    await second;
    const third = pipeline.submit([obs(3)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(commits).toEqual([1, 1]);
    await third;
    await pipeline.flush();
    expect(commits).toEqual([1, 1, 1]);
    expect(published).toEqual([[1001], [1002], [1003]]);
  });

  it('gives a failing bus up at close after the grace period: the data stays stored', async () => {
    const down = new MemoryBus(() => {});
    down.publish = () => Promise.reject(new Error('NATS is down'));
    const { store, pipeline } = setup(down);
    await pipeline.submit([obs(1)]);
    const started = Date.now();
    await pipeline.close(300);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await store.series.countFor(obs(1).entityId)).toBe(1);
  });

  it('keeps as many commits in flight as asked, each submitter resolved after its own', async () => {
    for (const inFlight of [1, 2]) {
      const { store, pipeline, mostRunning } = setup(undefined, inFlight);
      const submitted: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        submitted.push(pipeline.submit([obs(i)]));
        if (i % 30 === 29) await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(submitted);
      expect(mostRunning()).toBe(inFlight);
      let total = 0;
      for (let d = 0; d < 10; d++)
        total += await store.series.countFor(`urn:ngsi-ld:AirQualityObserved:d${d}`);
      expect(total).toBe(300);
    }
  });
});
