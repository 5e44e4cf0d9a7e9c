#!/usr/bin/env node
// Device load through an external MQTT broker, for bench/scale-out.mjs (run as its own
// process so that it does not share the orchestrator's event loop). The broker, not
// citybrain, sends the devices' PUBACKs, so a closed loop on PUBACKs would only measure the
// broker and pile up an unbounded backlog. Instead the total of messages published but not
// yet stored by citybrain is bounded (`maxUnstored`): the parent sends the stored count
// (the nodes' /metrics) over IPC, as the embedded server's PUBACK-after-commit would.
//
//   fork('bench/lib/broker-load.mjs', [config.json])
//
// config.json: {mqttUrl, devices: [{id, secret}], seconds, warmupSeconds, inflight (broker
//               PUBACKs outstanding per device), maxUnstored (0 = unbounded), rate (total
//               msgs/s, 0 = unlimited), drainTimeoutMs}
// Parent → child: {type: 'stored', total}. Child → parent: connected, phase (warmup, measure,
// drain, done), tick (every second), result, error.
import { performance } from 'node:perf_hooks';
import { DeviceFleet, nextObservedAt } from './device-fleet.mjs';
import { loadChild, rssMb, send, sendResult, startUsage } from './load-child.mjs';

const { cfg, fail } = loadChild();
const window = cfg.inflight ?? 64;
const maxUnstored = cfg.maxUnstored ?? 0;
const rate = cfg.rate ?? 0;

const fleet = new DeviceFleet(
  cfg.devices.map((d) => ({ id: d.id, secret: d.secret, firstObservedAt: null })),
  { mqttUrl: cfg.mqttUrl },
);
const devices = fleet.devices;

let running = false;
let disconnects = 0;
let sent = 0;
let acked = 0;
let stored = 0;
let credits = 0; // rate limiter tokens
let next = 0; // round robin over devices, so that each device gets its share
let loadStart = 0;
let measureStart = Infinity;
let measureEnd = Infinity;
let windowSent = 0;
let windowAcked = 0;
const sentPerSecond = [];

function onAck(err) {
  if (!err) {
    acked++;
    const t = performance.now();
    if (t >= measureStart && t < measureEnd) windowAcked++;
  }
  pump();
}

function publishOne(d) {
  const observedAt = nextObservedAt(d);
  d.firstObservedAt ??= observedAt;
  const pm25 = Math.round(Math.random() * 5000) / 10;
  sent++;
  const t = performance.now();
  if (t >= measureStart && t < measureEnd) windowSent++;
  const s = Math.floor((t - loadStart) / 1000);
  sentPerSecond[s] = (sentPerSecond[s] ?? 0) + 1;
  fleet.publish(d, `{"observedAt":${observedAt},"pm25":${pm25}}`, onAck);
}

function pump() {
  if (!running) return;
  let idle = 0;
  while (idle < devices.length) {
    if (maxUnstored > 0 && sent - stored >= maxUnstored) return;
    if (rate > 0 && credits < 1) return;
    const d = devices[next];
    next = (next + 1) % devices.length;
    if (d.inflight >= window || !d.client.connected) {
      idle++;
      continue;
    }
    idle = 0;
    if (rate > 0) credits -= 1;
    publishOne(d);
  }
}

process.on('message', (msg) => {
  if (msg?.type !== 'stored') return;
  stored = msg.total;
  pump();
});

async function main() {
  try {
    await fleet.connect({
      onLost: () => disconnects++,
    });
  } catch (err) {
    fail(`could not connect: ${err.message}`);
    return;
  }
  send({ type: 'connected', connections: devices.length });

  let rateTimer = null;
  if (rate > 0) {
    let last = performance.now();
    rateTimer = setInterval(() => {
      const now = performance.now();
      credits = Math.min(Math.max(1, rate * 0.02), credits + (rate * (now - last)) / 1000);
      last = now;
      pump();
    }, 5);
  }
  running = true;
  loadStart = performance.now();
  send({ type: 'phase', phase: 'warmup', at: Date.now() });
  pump();
  const ticker = setInterval(() => {
    const s = Math.floor((performance.now() - loadStart) / 1000) - 1;
    send({ type: 'tick', second: s, sent: sentPerSecond[s] ?? 0, sentTotal: sent, acked, stored });
  }, 1000);
  await new Promise((r) => setTimeout(r, cfg.warmupSeconds * 1000));
  measureStart = performance.now();
  const usage = startUsage();
  send({ type: 'phase', phase: 'measure', at: Date.now(), sent, acked });
  await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
  measureEnd = performance.now();
  const generator = usage.over(measureEnd - measureStart);
  running = false;
  if (rateTimer) clearInterval(rateTimer);
  send({ type: 'phase', phase: 'drain', at: Date.now(), sent, acked, inflight: fleet.inflight });

  // Every publish settles with the broker (PUBACK or error) before anything is counted.
  await fleet.drain(cfg.drainTimeoutMs ?? 60_000);
  clearInterval(ticker);
  const inflightAtEnd = await fleet.close();
  const measuredSeconds = (measureEnd - measureStart) / 1000;
  const result = {
    type: 'result',
    measuredSeconds,
    totals: {
      ...fleet.totals(),
      inflightAtEnd,
      disconnects,
    },
    window: { sent: windowSent, acked: windowAcked },
    generator: { ...generator, rssMb: rssMb() },
    perDevice: devices.map((d) => ({
      ...DeviceFleet.countsOf(d),
      firstObservedAt: d.firstObservedAt,
      lastObservedAt: d.lastObservedAt,
    })),
  };
  sendResult(result);
}

main().catch((err) => fail(err.stack ?? String(err)));
