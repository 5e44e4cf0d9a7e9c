#!/usr/bin/env node
// MQTT load generator for `npm run bench`, run as its own process so that it does not share
// the server's CPU thread. One MQTT 3.1.1 connection per device; each keeps a window of
// `inflight` QoS 1 publishes open and measures publish→PUBACK latency per message.
//
//   node bench/mqtt-load.mjs <config.json>
//
// config.json: {mqttUrl, devices: [{id, secret}], seconds, warmupSeconds, inflight,
//               rate (total msgs/s, 0 = unlimited), drainTimeoutMs}
// Progress and the result go to the parent over IPC when there is one; without IPC the
// result is printed on stdout as one JSON line.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { LatencyRecorder, summarize } from './lib/stats.mjs';

const configPath = process.argv[2];
if (!configPath || configPath === '--help') {
  console.log(
    'usage: node bench/mqtt-load.mjs <config.json>   (normally started by bench/run.mjs)',
  );
  process.exit(configPath ? 0 : 2);
}
const cfg = JSON.parse(readFileSync(configPath, 'utf8'));
const seconds = cfg.seconds ?? 30;
const warmupSeconds = cfg.warmupSeconds ?? 3;
const window = cfg.inflight ?? 64;
const rate = cfg.rate ?? 0;
const drainTimeoutMs = cfg.drainTimeoutMs ?? 60_000;

const send = (msg) => {
  if (process.send) process.send(msg);
};
const fail = (message) => {
  console.error(`mqtt-load: ${message}`);
  send({ type: 'error', message });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
};
process.on('disconnect', () => process.exit(1)); // the orchestrator is gone

// ---- connections ---------------------------------------------------------------------

const devices = cfg.devices.map((d) => ({
  id: d.id,
  secret: d.secret,
  topic: `citybrain/v1/devices/${d.id}/attrs`,
  client: null,
  inflight: 0,
  sent: 0,
  acked: 0,
  errors: 0,
  credits: 0,
  closed: false,
  lostDuringRun: false,
  lastObservedAt: 0,
  firstObservedAt: null,
  lastAckedObservedAt: null,
}));

async function connect(d) {
  d.client = await mqtt.connectAsync(cfg.mqttUrl, {
    clientId: d.id,
    username: d.id,
    password: d.secret,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 20_000,
    keepalive: 60,
  });
  d.client.on('close', () => {
    if (!d.closed && !stopping) {
      console.error(`mqtt-load: connection of ${d.id} closed during the run`);
      d.lostDuringRun = true;
      disconnects++;
    }
    d.closed = true;
  });
  d.client.on('error', (err) => {
    if (!stopping) console.error(`mqtt-load: ${d.id}: ${err.message}`);
  });
}

// ---- load ----------------------------------------------------------------------------

let running = false;
let stopping = false;
let disconnects = 0;
let inflightTotal = 0;
let loadStart = 0; // performance.now() at the start of the warm-up
let measureStart = Infinity;
let measureEnd = Infinity;
const latencies = new LatencyRecorder(1 << 20);
const ackedPerSecond = []; // since loadStart (warm-up included)
const measuredPerSecond = []; // since measureStart, only acks inside the measured window
let windowAcked = 0;
let windowSent = 0;
let drained = null;

function onAck(d, t0, measured, observedAt, err) {
  const t1 = performance.now();
  d.inflight--;
  inflightTotal--;
  if (err) {
    d.errors++;
  } else {
    d.acked++;
    if (d.lastAckedObservedAt === null || observedAt > d.lastAckedObservedAt)
      d.lastAckedObservedAt = observedAt;
    const s = Math.floor((t1 - loadStart) / 1000);
    ackedPerSecond[s] = (ackedPerSecond[s] ?? 0) + 1;
    if (t1 >= measureStart && t1 < measureEnd) {
      windowAcked++;
      const m = Math.floor((t1 - measureStart) / 1000);
      measuredPerSecond[m] = (measuredPerSecond[m] ?? 0) + 1;
    }
    if (measured) latencies.push(t1 - t0);
  }
  if (inflightTotal === 0 && drained) drained();
  if (!err) pump(d);
}

function publishOne(d) {
  // Strictly increasing epoch ms per device: every message is a distinct time-series point.
  const observedAt = Math.max(d.lastObservedAt + 1, Date.now());
  d.lastObservedAt = observedAt;
  d.firstObservedAt ??= observedAt;
  const pm25 = Math.round(Math.random() * 5000) / 10;
  const payload = `{"observedAt":${observedAt},"pm25":${pm25}}`;
  d.sent++;
  d.inflight++;
  inflightTotal++;
  const t0 = performance.now();
  const measured = t0 >= measureStart && t0 < measureEnd;
  if (measured) windowSent++;
  d.client.publish(d.topic, payload, { qos: 1 }, (err) => onAck(d, t0, measured, observedAt, err));
}

function pump(d) {
  while (running && !d.closed && d.client.connected && d.inflight < window) {
    if (rate > 0) {
      if (d.credits < 1) return;
      d.credits -= 1;
    }
    publishOne(d);
  }
}

async function main() {
  const t = performance.now();
  // Connect a few at a time: a burst of hundreds of CONNECTs is not what is measured.
  let next = 0;
  const worker = async () => {
    while (next < devices.length) await connect(devices[next++]);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(16, devices.length) }, worker));
  } catch (err) {
    fail(`could not connect: ${err.message}`);
    return;
  }
  send({ type: 'connected', connections: devices.length, ms: performance.now() - t });

  let rateTimer = null;
  if (rate > 0) {
    const perDevice = rate / devices.length;
    const burst = Math.max(1, perDevice * 0.02);
    let last = performance.now();
    rateTimer = setInterval(() => {
      const now = performance.now();
      const add = (perDevice * (now - last)) / 1000;
      last = now;
      for (const d of devices) {
        d.credits = Math.min(burst, d.credits + add);
        pump(d);
      }
    }, 5);
  }

  running = true;
  loadStart = performance.now();
  send({ type: 'phase', phase: 'warmup', at: Date.now() });
  for (const d of devices) pump(d);

  let cpuAtStart;
  let eluAtStart;
  let cpu = null;
  let elu = null;
  const ticker = setInterval(() => {
    const s = Math.floor((performance.now() - loadStart) / 1000) - 1;
    if (s >= 0)
      send({ type: 'tick', second: s, acked: ackedPerSecond[s] ?? 0, inflight: inflightTotal });
  }, 1000);

  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  measureStart = performance.now();
  cpuAtStart = process.cpuUsage();
  eluAtStart = performance.eventLoopUtilization();
  send({ type: 'phase', phase: 'measure', at: Date.now() });

  await new Promise((r) => setTimeout(r, seconds * 1000));
  measureEnd = performance.now();
  const used = process.cpuUsage(cpuAtStart);
  cpu = (100 * (used.user + used.system)) / 1000 / (measureEnd - measureStart);
  elu = performance.eventLoopUtilization(eluAtStart).utilization;
  running = false;
  if (rateTimer) clearInterval(rateTimer);
  send({ type: 'phase', phase: 'drain', at: Date.now(), inflight: inflightTotal });

  // Every publish in flight settles (PUBACK or error) before anything is counted.
  const drainStart = performance.now();
  if (inflightTotal > 0) {
    await Promise.race([
      new Promise((r) => (drained = r)),
      new Promise((r) => setTimeout(r, drainTimeoutMs)),
    ]);
  }
  const drainMs = performance.now() - drainStart;
  clearInterval(ticker);
  stopping = true;
  const inflightAtEnd = inflightTotal;
  await Promise.all(devices.map((d) => d.client.endAsync(inflightAtEnd > 0).catch(() => {})));
  send({ type: 'phase', phase: 'done', at: Date.now() });

  const measuredSeconds = (measureEnd - measureStart) / 1000;
  const lat = summarize(latencies.values.subarray(0, latencies.length));
  const fullSeconds = measuredPerSecond.slice(0, Math.floor(measuredSeconds + 1e-6));
  for (let i = 0; i < fullSeconds.length; i++) fullSeconds[i] ??= 0;
  const result = {
    type: 'result',
    params: { devices: devices.length, inflight: window, rate, seconds, warmupSeconds },
    measuredSeconds,
    drainMs,
    totals: {
      sent: devices.reduce((a, d) => a + d.sent, 0),
      acked: devices.reduce((a, d) => a + d.acked, 0),
      errors: devices.reduce((a, d) => a + d.errors, 0),
      inflightAtEnd,
      disconnects,
    },
    window: { sent: windowSent, acked: windowAcked, msgsPerSec: windowAcked / measuredSeconds },
    perSecond: fullSeconds,
    timeline: Array.from({ length: ackedPerSecond.length }, (_, s) => ({
      second: s,
      acked: ackedPerSecond[s] ?? 0,
      phase: s < warmupSeconds ? 'warmup' : s < warmupSeconds + seconds ? 'measure' : 'drain',
    })),
    latencyMs: lat,
    generator: {
      cpuPercentOfOneCore: cpu,
      eventLoopUtilization: elu,
      rssMb: process.memoryUsage().rss / 1048576,
    },
    perDevice: devices.map((d) => ({
      id: d.id,
      sent: d.sent,
      acked: d.acked,
      errors: d.errors,
      inflightAtEnd: d.inflight,
      closedDuringRun: d.lostDuringRun,
      firstObservedAt: d.firstObservedAt,
      lastAckedObservedAt: d.lastAckedObservedAt,
    })),
  };
  if (process.send) process.send(result, () => process.disconnect());
  else console.log(JSON.stringify(result));
}

process.on('SIGTERM', () => {
  running = false;
  process.exit(1);
});

main().catch((err) => fail(err.stack ?? String(err)));
