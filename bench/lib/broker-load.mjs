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
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const window = cfg.inflight ?? 64;
const maxUnstored = cfg.maxUnstored ?? 0;
const rate = cfg.rate ?? 0;

const send = (msg) => process.send?.(msg);
const fail = (message) => {
  send({ type: 'error', message });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
};
process.on('disconnect', () => process.exit(1)); // the orchestrator is gone

const devices = cfg.devices.map((d) => ({
  id: d.id,
  secret: d.secret,
  topic: `citybrain/v1/devices/${d.id}/attrs`,
  client: null,
  inflight: 0,
  sent: 0,
  acked: 0,
  errors: 0,
  lastObservedAt: 0,
  firstObservedAt: null,
}));

let running = false;
let stopping = false;
let disconnects = 0;
let sent = 0;
let acked = 0;
let inflight = 0;
let stored = 0;
let credits = 0; // rate limiter tokens
let next = 0; // round robin over devices, so that each device gets its share
let loadStart = 0;
let measureStart = Infinity;
let measureEnd = Infinity;
let windowSent = 0;
let windowAcked = 0;
const sentPerSecond = [];
let drained = null;

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
    if (!stopping) disconnects++;
  });
  d.client.on('error', () => {});
}

function onAck(d, err) {
  d.inflight--;
  inflight--;
  if (err) d.errors++;
  else {
    d.acked++;
    acked++;
    const t = performance.now();
    if (t >= measureStart && t < measureEnd) windowAcked++;
  }
  if (inflight === 0 && drained) drained();
  pump();
}

function publishOne(d) {
  // Strictly increasing epoch ms per device: every message is a distinct time-series point.
  const observedAt = Math.max(d.lastObservedAt + 1, Date.now());
  d.lastObservedAt = observedAt;
  d.firstObservedAt ??= observedAt;
  const pm25 = Math.round(Math.random() * 5000) / 10;
  d.sent++;
  d.inflight++;
  sent++;
  inflight++;
  const t = performance.now();
  if (t >= measureStart && t < measureEnd) windowSent++;
  const s = Math.floor((t - loadStart) / 1000);
  sentPerSecond[s] = (sentPerSecond[s] ?? 0) + 1;
  d.client.publish(d.topic, `{"observedAt":${observedAt},"pm25":${pm25}}`, { qos: 1 }, (err) =>
    onAck(d, err),
  );
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
  let i = 0;
  const worker = async () => {
    while (i < devices.length) await connect(devices[i++]);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(16, devices.length) }, worker));
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
  const cpuAtStart = { cpu: null, elu: null };
  await new Promise((r) => setTimeout(r, cfg.warmupSeconds * 1000));
  measureStart = performance.now();
  cpuAtStart.cpu = process.cpuUsage();
  cpuAtStart.elu = performance.eventLoopUtilization();
  send({ type: 'phase', phase: 'measure', at: Date.now(), sent, acked });
  await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
  measureEnd = performance.now();
  const used = process.cpuUsage(cpuAtStart.cpu);
  const elu = performance.eventLoopUtilization(cpuAtStart.elu).utilization;
  running = false;
  if (rateTimer) clearInterval(rateTimer);
  send({ type: 'phase', phase: 'drain', at: Date.now(), sent, acked, inflight });

  // Every publish settles with the broker (PUBACK or error) before anything is counted.
  if (inflight > 0)
    await Promise.race([
      new Promise((r) => (drained = r)),
      new Promise((r) => setTimeout(r, cfg.drainTimeoutMs ?? 60_000)),
    ]);
  clearInterval(ticker);
  stopping = true;
  const inflightAtEnd = inflight;
  await Promise.all(devices.map((d) => d.client.endAsync(inflightAtEnd > 0).catch(() => {})));
  const measuredSeconds = (measureEnd - measureStart) / 1000;
  const result = {
    type: 'result',
    measuredSeconds,
    totals: {
      sent,
      acked,
      errors: devices.reduce((a, d) => a + d.errors, 0),
      inflightAtEnd,
      disconnects,
    },
    window: { sent: windowSent, acked: windowAcked },
    generator: {
      cpuPercentOfOneCore: (100 * (used.user + used.system)) / 1000 / (measureEnd - measureStart),
      eventLoopUtilization: elu,
      rssMb: process.memoryUsage().rss / 1048576,
    },
    perDevice: devices.map((d) => ({
      id: d.id,
      sent: d.sent,
      acked: d.acked,
      errors: d.errors,
      inflightAtEnd: d.inflight,
      firstObservedAt: d.firstObservedAt,
      lastObservedAt: d.lastObservedAt,
    })),
  };
  process.send(result, () => process.disconnect());
}

process.on('SIGTERM', () => process.exit(1));
main().catch((err) => fail(err.stack ?? String(err)));
