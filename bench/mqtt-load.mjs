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
import { performance } from 'node:perf_hooks';
import { DeviceFleet, nextObservedAt } from './lib/device-fleet.mjs';
import { loadChild, rssMb, send, sendResult, startUsage } from './lib/load-child.mjs';
import { LatencyRecorder, summarize } from './lib/stats.mjs';

const configPath = process.argv[2];
if (!configPath || configPath === '--help') {
  console.log(
    'usage: node bench/mqtt-load.mjs <config.json>   (normally started by bench/run.mjs)',
  );
  process.exit(configPath ? 0 : 2);
}
const { cfg, fail } = loadChild({ name: 'mqtt-load' });
const seconds = cfg.seconds ?? 30;
const warmupSeconds = cfg.warmupSeconds ?? 3;
const window = cfg.inflight ?? 64;
const rate = cfg.rate ?? 0;
const drainTimeoutMs = cfg.drainTimeoutMs ?? 60_000;

const fleet = new DeviceFleet(
  cfg.devices.map((d) => ({
    id: d.id,
    secret: d.secret,
    credits: 0,
    lostDuringRun: false,
    firstObservedAt: null,
    lastAckedObservedAt: null,
  })),
  { mqttUrl: cfg.mqttUrl },
);
const devices = fleet.devices;

let running = false;
let disconnects = 0;
let loadStart = 0; // performance.now() at the start of the warm-up
let measureStart = Infinity;
let measureEnd = Infinity;
const latencies = new LatencyRecorder(1 << 20);
const ackedPerSecond = []; // since loadStart (warm-up included)
const measuredPerSecond = []; // since measureStart, only acks inside the measured window
let windowAcked = 0;
let windowSent = 0;

function onAck(d, t0, measured, observedAt, err) {
  const t1 = performance.now();
  if (!err) {
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
    pump(d);
  }
}

function publishOne(d) {
  // Strictly increasing epoch ms per device: every message is a distinct time-series point.
  const observedAt = nextObservedAt(d);
  d.firstObservedAt ??= observedAt;
  const pm25 = Math.round(Math.random() * 5000) / 10;
  const payload = `{"observedAt":${observedAt},"pm25":${pm25}}`;
  const t0 = performance.now();
  const measured = t0 >= measureStart && t0 < measureEnd;
  if (measured) windowSent++;
  fleet.publish(d, payload, (err) => onAck(d, t0, measured, observedAt, err));
}

function pump(d) {
  while (running && fleet.canPublish(d) && d.inflight < window) {
    if (rate > 0) {
      if (d.credits < 1) return;
      d.credits -= 1;
    }
    publishOne(d);
  }
}

async function main() {
  let ms;
  try {
    ms = await fleet.connect({
      onLost: (d) => {
        console.error(`mqtt-load: connection of ${d.id} closed during the run`);
        d.lostDuringRun = true;
        disconnects++;
      },
      onError: (d, err) => console.error(`mqtt-load: ${d.id}: ${err.message}`),
    });
  } catch (err) {
    fail(`could not connect: ${err.message}`);
    return;
  }
  send({ type: 'connected', connections: devices.length, ms });

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

  const ticker = setInterval(() => {
    const s = Math.floor((performance.now() - loadStart) / 1000) - 1;
    if (s >= 0)
      send({ type: 'tick', second: s, acked: ackedPerSecond[s] ?? 0, inflight: fleet.inflight });
  }, 1000);

  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  measureStart = performance.now();
  const usage = startUsage();
  send({ type: 'phase', phase: 'measure', at: Date.now() });

  await new Promise((r) => setTimeout(r, seconds * 1000));
  measureEnd = performance.now();
  const generator = usage.over(measureEnd - measureStart);
  running = false;
  if (rateTimer) clearInterval(rateTimer);
  send({ type: 'phase', phase: 'drain', at: Date.now(), inflight: fleet.inflight });

  // Every publish in flight settles (PUBACK or error) before anything is counted.
  const drainMs = await fleet.drain(drainTimeoutMs);
  clearInterval(ticker);
  const inflightAtEnd = await fleet.close();
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
      ...fleet.totals(),
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
    generator: { ...generator, rssMb: rssMb() },
    perDevice: devices.map((d) => ({
      ...DeviceFleet.countsOf(d),
      closedDuringRun: d.lostDuringRun,
      firstObservedAt: d.firstObservedAt,
      lastAckedObservedAt: d.lastAckedObservedAt,
    })),
  };
  sendResult(result);
}

main().catch((err) => fail(err.stack ?? String(err)));
