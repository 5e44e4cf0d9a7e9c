#!/usr/bin/env node
// Benchmark of the NATS JetStream bus adapter against the real nats-server (needs a build:
// `npm run build`, then `node bench/bus-nats.mjs`). Measures, on a stream of its own:
//   1. publish throughput: events/s of `bus.publish` (resolves on JetStream's acks), batches
//      of 100 and of 1000;
//   2. group drain throughput: how fast a group of two members (two nodes) handles a backlog
//      (one event at a time per partition, which is what keeps per-key order);
//   3. publish-to-handler latency p50/p99 at a steady rate, to a subscriber without a group and
//      to a group member, each on another connection than the publisher.
// Prints the figures and writes bench/results/bus-nats-latest.json. Deletes its streams.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { machineInfo } from './lib/results.mjs';
import { summarize } from './lib/stats.mjs';

const HELP = `Usage: node bench/bus-nats.mjs [--seconds 5] [--rate 2000] [--partitions 16]
  [--backlog 20000] [--dist packages/server/dist] [--servers nats://127.0.0.1:4222]`;
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '2000' },
    partitions: { type: 'string', default: '16' },
    backlog: { type: 'string', default: '20000' },
    dist: { type: 'string', default: 'packages/server/dist' },
    servers: {
      type: 'string',
      default: process.env.CITYBRAIN_TEST_NATS ?? 'nats://127.0.0.1:4222',
    },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const partitions = Number(args.partitions);
const backlog = Number(args.backlog);
const { NatsBus } = await import(pathToFileURL(`${args.dist}/bus/nats/index.js`).href);

const id = randomBytes(4).toString('hex');
const options = {
  servers: args.servers,
  stream: `BENCH_${id}`,
  subjectPrefix: `bench-${id}`,
  partitions,
  onError: (err) => console.error('bus error', err),
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Sub-millisecond epoch time: publisher and receivers share this process's clock.
const now = () => performance.timeOrigin + performance.now();
// An observation-sized payload (~250 bytes of JSON), as ingest publishes.
const observation = (n) => ({
  topic: 'observation.accepted',
  key: `urn:ngsi-ld:AirQualityObserved:bench-${String(n % 500).padStart(4, '0')}`,
  time: Date.now(),
  payload: {
    entityId: `urn:ngsi-ld:AirQualityObserved:bench-${String(n % 500).padStart(4, '0')}`,
    entityType: 'AirQualityObserved',
    observedAt: new Date().toISOString(),
    attrs: { pm25: { type: 'Property', value: n % 97 }, no2: { type: 'Property', value: 12.5 } },
    n,
  },
});

async function publishThroughput(bus, batch) {
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  let events = 0;
  while (Date.now() < until) {
    await bus.publish(Array.from({ length: batch }, (_, i) => observation(events + i)));
    events += batch;
  }
  const elapsed = (performance.now() - started) / 1000;
  return { batch, events, seconds: elapsed, eventsPerSec: Math.round(events / elapsed) };
}

async function groupDrain(publisher, members) {
  let handled = 0;
  const subs = [];
  for (const m of members)
    subs.push(await m.subscribe({ topic: 'drain', group: 'drain' }, () => void handled++));
  // Timed from the first publish to the last handled event, the members consuming meanwhile.
  const started = performance.now();
  for (let n = 0; n < backlog; n += 1000)
    await publisher.publish(
      Array.from({ length: Math.min(1000, backlog - n) }, (_, i) => ({
        ...observation(n + i),
        topic: 'drain',
      })),
    );
  const published = performance.now();
  while (handled < backlog) await sleep(5);
  const elapsed = (performance.now() - started) / 1000;
  for (const s of subs) await s.unsubscribe();
  return {
    events: backlog,
    members: members.length,
    partitions,
    publishSeconds: (published - started) / 1000,
    seconds: elapsed,
    eventsPerSec: Math.round(backlog / elapsed),
  };
}

async function latency(publisher, receiver) {
  const plain = [];
  const grouped = [];
  const a = await receiver.subscribe({ topic: 'lat' }, (e) => void plain.push(now() - e.time));
  const b = await receiver.subscribe({ topic: 'lat', group: 'lat' }, (e) => {
    grouped.push(now() - e.time);
  });
  // Batches of 10 at the requested rate: closer to ingest (group commits) than single events.
  const perTick = 10;
  const tickMs = (1000 * perTick) / rate;
  const until = Date.now() + seconds * 1000;
  let sent = 0;
  let next = performance.now();
  while (Date.now() < until) {
    const batch = Array.from({ length: perTick }, (_, i) => ({
      ...observation(sent + i),
      topic: 'lat',
      time: now(),
    }));
    sent += perTick;
    await publisher.publish(batch);
    next += tickMs;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const deadline = Date.now() + 30_000;
  while ((plain.length < sent || grouped.length < sent) && Date.now() < deadline) await sleep(20);
  await a.unsubscribe();
  await b.unsubscribe();
  const pick = ({ count, p50, p99, max }) => ({ count, p50, p99, max });
  return { rate, sent, plain: pick(summarize(plain)), group: pick(summarize(grouped)) };
}

const publisher = await NatsBus.connect({ ...options, name: 'bench-publisher' });
const other = await NatsBus.connect({ ...options, name: 'bench-node-2' });
const result = {
  finishedAt: '',
  machine: machineInfo(),
  parameters: { seconds, rate, partitions, backlog },
};
try {
  result.publish = [
    await publishThroughput(publisher, 100),
    await publishThroughput(publisher, 1000),
  ];
  result.groupDrain = await groupDrain(publisher, [publisher, other]);
  result.latency = await latency(publisher, other);
} finally {
  await publisher.close();
  await other.close();
  const nc = await connect({ servers: args.servers });
  const jsm = await jetstreamManager(nc);
  for (const s of [options.stream, `${options.stream}_DEAD`])
    await jsm.streams.delete(s).catch(() => {});
  await nc.close();
}
result.finishedAt = new Date().toISOString();

const ms = (n) => (n === null ? 'n/a' : `${n.toFixed(2)} ms`);
const m = result.machine;
console.log(
  `\ncitybrain NATS bus benchmark (nats-server at ${args.servers}, ${partitions} partitions)`,
);
console.log(
  `machine: ${m.cpus} x ${m.cpuModel}, node ${m.node}, load avg at start ${m.loadAvgAtStart.join(' ')}\n`,
);
for (const p of result.publish)
  console.log(
    `  publish, batches of ${String(p.batch).padEnd(5)} ${p.eventsPerSec.toLocaleString('en-US')} events/s`,
  );
const d = result.groupDrain;
console.log(
  `  group drain (${d.members} members)     ${d.eventsPerSec.toLocaleString('en-US')} events/s (${d.events} events, publish took ${d.publishSeconds.toFixed(2)} s)`,
);
const l = result.latency;
console.log(
  `  latency at ${rate} events/s: subscriber p50 ${ms(l.plain.p50)} p99 ${ms(l.plain.p99)}; group p50 ${ms(l.group.p50)} p99 ${ms(l.group.p99)}`,
);
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}bus-nats-latest.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwrote bench/results/bus-nats-latest.json`);
