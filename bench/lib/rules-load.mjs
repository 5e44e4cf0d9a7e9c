#!/usr/bin/env node
// Observation stream for the rules benchmark (bench/rules.mjs), run as its own process so that
// it does not share the server's or the orchestrator's event loop. One MQTT 3.1.1 connection per
// device; open loop: `rate` observations/s in total, round robin over the devices (each device
// reports every devices/rate seconds), QoS 1, payload {"observedAt": <send time, epoch ms>, …}.
//
//   fork('bench/lib/rules-load.mjs', [config.json])
//
// config.json: {mqttUrl, devices: [{id, secret, type, area, areaIndex, role}], rate,
//               warmupSeconds, seconds, inflightCap, spikePeriodMs, silentAfterMs (null: none),
//               drainTimeoutMs}
// Trigger devices report their type's `base` value and, once per spike period (staggered over
// the trigger devices), its `spike` (vehicles: inside their area's zone). Silent devices stop
// `silentAfterMs` after the measured window starts. Recorded, with the publish time on the
// machine's monotonic clock (process.hrtime, shared by every process): every spike, and per
// stream (an area's devices of one type; each trigger device) the first observation after each
// whole second of event time, which is what closes a window ending then.
// Child → parent: connected, phase (warmup, measure, drain, done), tick, result, error.
import { performance } from 'node:perf_hooks';
import { DeviceFleet, nextObservedAt } from './device-fleet.mjs';
import { loadChild, rssMb, send, sendResult, startUsage } from './load-child.mjs';
import { LatencyRecorder, summarize } from './stats.mjs';
import { geometryOf, typeByName } from './rules-city.mjs';

const { cfg, fail } = loadChild();
const rate = cfg.rate;
const cap = cfg.inflightCap ?? 64;
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

const r2 = (v) => Math.round(v * 100) / 100;
const triggers = cfg.devices.filter((d) => d.role === 'trigger');
const fleet = new DeviceFleet(
  cfg.devices.map((d) => {
    const g = geometryOf(d.areaIndex);
    const j = triggers.findIndex((x) => x.id === d.id);
    return {
      ...d,
      t: typeByName.get(d.type),
      g,
      pos: [...g.home],
      // Spikes are staggered over the trigger devices: one every spikePeriodMs / triggers.
      spikeOffset: j >= 0 ? (j * cfg.spikePeriodMs) / triggers.length : null,
      nextSpike: null,
      silenced: false,
      lastSent: null,
      streams: [`a:${d.type}:${d.area}`, ...(d.role === 'trigger' ? [`d:${d.id}`] : [])],
    };
  }),
  { mqttUrl: cfg.mqttUrl, connectTimeout: 30_000 },
);
const devices = fleet.devices;

let running = false;
let disconnects = 0;
let clientErrors = 0;
let offered = 0;
let capped = 0;
let behind = 0;
let next = 0;
let loadStart = 0;
let loadStartEpoch = 0;
let measureStart = Infinity;
let measureEnd = Infinity;
let measureStartEpoch = null;
let windowSent = 0;
let windowAcked = 0;
const sentPerSecond = [];
const ackedPerSecond = [];
const latencies = new LatencyRecorder(1 << 18);
const spikes = [];
const boundaries = new Map(); // stream → [{from, to, t, hr}]
const lastBoundary = new Map();

function payloadOf(d, observedAt, spike) {
  const p = d.t.primary;
  const s = d.t.secondary;
  const fields = [`"observedAt":${observedAt}`];
  if (d.role === 'trigger') {
    fields.push(`"${p.name}":${spike ? p.spike : p.base}`);
    if (s) fields.push(`"${s.name}":${s.base}`);
    else {
      const [x, y] = spike ? d.g.inZone : d.g.home;
      fields.push(`"location":{"type":"Point","coordinates":[${x},${y}]}`);
    }
  } else {
    fields.push(`"${p.name}":${r2(p.lo + Math.random() * (p.hi - p.lo))}`);
    if (s) fields.push(`"${s.name}":${r2(s.lo + Math.random() * (s.hi - s.lo))}`);
    else {
      // A random walk inside the area's walk box (never in a zone).
      const [x0, y0, x1, y1] = d.g.walk;
      d.pos[0] = Math.min(x1, Math.max(x0, d.pos[0] + (Math.random() - 0.5) * 0.001));
      d.pos[1] = Math.min(y1, Math.max(y0, d.pos[1] + (Math.random() - 0.5) * 0.001));
      fields.push(
        `"location":{"type":"Point","coordinates":[${d.pos[0].toFixed(6)},${d.pos[1].toFixed(6)}]}`,
      );
    }
  }
  return `{${fields.join(',')}}`;
}

/** Notes the first observation of each stream after each whole second of event time. */
function recordBoundary(d, observedAt, hr) {
  const b = Math.floor((observedAt - 1) / 1000) * 1000;
  for (const stream of d.streams) {
    const last = lastBoundary.get(stream);
    if (last !== undefined && b <= last) continue;
    lastBoundary.set(stream, b);
    let list = boundaries.get(stream);
    if (!list) boundaries.set(stream, (list = []));
    // This observation is the first after every boundary in (last, b].
    list.push({ from: last === undefined ? b : last + 1000, to: b, t: observedAt, hr });
  }
}

function publishOne(d) {
  const observedAt = nextObservedAt(d);
  let spike = false;
  if (d.spikeOffset !== null) {
    d.nextSpike ??= loadStartEpoch + d.spikeOffset;
    if (observedAt >= d.nextSpike) {
      spike = true;
      while (d.nextSpike <= observedAt) d.nextSpike += cfg.spikePeriodMs;
    }
  }
  const payload = payloadOf(d, observedAt, spike);
  const t0 = performance.now();
  const hr = hrMs();
  const measured = t0 >= measureStart && t0 < measureEnd;
  if (measured) windowSent++;
  const s = Math.floor((t0 - loadStart) / 1000);
  sentPerSecond[s] = (sentPerSecond[s] ?? 0) + 1;
  fleet.publish(d, payload, (err) => onAck(t0, measured, err));
  if (spike) spikes.push({ id: d.id, t: observedAt, hr });
  recordBoundary(d, observedAt, hr);
  d.lastSent = observedAt;
}

function onAck(t0, measured, err) {
  const t1 = performance.now();
  if (!err) {
    const s = Math.floor((t1 - loadStart) / 1000);
    ackedPerSecond[s] = (ackedPerSecond[s] ?? 0) + 1;
    if (t1 >= measureStart && t1 < measureEnd) windowAcked++;
    if (measured) latencies.push(t1 - t0);
  }
}

/** Sends what is due by now: open loop, round robin; at most 50 ms of backlog at once. */
function pump() {
  if (!running) return;
  const now = performance.now();
  let due = Math.floor((rate * (now - loadStart)) / 1000) - offered;
  const most = Math.max(1, Math.ceil(rate * 0.05));
  if (due > most) {
    behind += due - most; // the generator fell behind: these are never offered
    offered += due - most;
    due = most;
  }
  const silentAt = measureStart + (cfg.silentAfterMs ?? Infinity);
  for (let i = 0; i < due; i++) {
    offered++;
    let d = null;
    for (let tries = 0; tries < devices.length; tries++) {
      const c = devices[next];
      next = (next + 1) % devices.length;
      if (c.role === 'silent' && now >= silentAt) {
        c.silenced = true;
        continue;
      }
      d = c;
      break;
    }
    if (!d || !fleet.canPublish(d)) continue;
    if (d.inflight >= cap) {
      capped++;
      continue;
    }
    publishOne(d);
  }
}

async function main() {
  let ms;
  try {
    ms = await fleet.connect({
      onLost: (d) => {
        if (++disconnects <= 5)
          console.error(`rules-load: connection of ${d.id} closed during the run`);
      },
      // Thousands of connections fail alike when the server stalls: the first few tell.
      onError: (d, err) => {
        if (++clientErrors <= 5) console.error(`rules-load: ${d.id}: ${err.message}`);
        else if (clientErrors === 6) console.error('rules-load: more connection errors (counted)');
      },
    });
  } catch (err) {
    fail(`could not connect: ${err.message}`);
    return;
  }
  send({ type: 'connected', connections: devices.length, ms });

  running = true;
  loadStart = performance.now();
  loadStartEpoch = Date.now();
  send({ type: 'phase', phase: 'warmup', at: loadStartEpoch, hr: hrMs() });
  const timer = setInterval(pump, 2);
  const ticker = setInterval(() => {
    const s = Math.floor((performance.now() - loadStart) / 1000) - 1;
    if (s >= 0)
      send({
        type: 'tick',
        second: s,
        sent: sentPerSecond[s] ?? 0,
        acked: ackedPerSecond[s] ?? 0,
        inflight: fleet.inflight,
      });
  }, 1000);

  await new Promise((r) => setTimeout(r, cfg.warmupSeconds * 1000));
  measureStart = performance.now();
  measureStartEpoch = Date.now();
  const usage = startUsage();
  send({ type: 'phase', phase: 'measure', at: measureStartEpoch, hr: hrMs() });

  await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
  measureEnd = performance.now();
  const measureEndEpoch = Date.now();
  const generator = usage.over(measureEnd - measureStart);
  running = false;
  clearInterval(timer);
  send({
    type: 'phase',
    phase: 'drain',
    at: measureEndEpoch,
    hr: hrMs(),
    inflight: fleet.inflight,
  });

  const drainMs = await fleet.drain(cfg.drainTimeoutMs ?? 60_000);
  clearInterval(ticker);
  const inflightAtEnd = await fleet.close();

  const measuredSeconds = (measureEnd - measureStart) / 1000;
  const result = {
    type: 'result',
    loadStartEpoch,
    measureStartEpoch,
    measureEndEpoch,
    measuredSeconds,
    drainMs,
    totals: {
      offered,
      ...fleet.totals(),
      cappedByInflight: capped,
      generatorBehind: behind,
      inflightAtEnd,
      disconnects,
      clientErrors,
    },
    window: {
      sent: windowSent,
      acked: windowAcked,
      sentPerSec: windowSent / measuredSeconds,
      ackedPerSec: windowAcked / measuredSeconds,
    },
    timeline: Array.from(
      { length: Math.max(sentPerSecond.length, ackedPerSecond.length) },
      (_, s) => ({
        second: s,
        sent: sentPerSecond[s] ?? 0,
        acked: ackedPerSecond[s] ?? 0,
      }),
    ),
    publishToPubackMs: summarize(latencies.values.subarray(0, latencies.length)),
    generator: { ...generator, rssMb: rssMb() },
    spikes,
    boundaries: Object.fromEntries(boundaries),
    silent: devices
      .filter((d) => d.role === 'silent')
      .map((d) => ({
        id: d.id,
        type: d.type,
        area: d.area,
        silenced: d.silenced,
        lastObservedAt: d.lastSent,
      })),
  };
  sendResult(result);
}

main().catch((err) => fail(err.stack ?? String(err)));
