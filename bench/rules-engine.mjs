// The rule engine alone, in this process: the rules benchmark's mix of 1,000 rules and its city
// (lib/rules-mix.mjs, lib/rules-city.mjs), facts fed straight to the engine's runs at a
// simulated 20,000 obs/s of event time, as fast as one core takes them. No server, no MQTT, no
// store: what the engine costs per fact, and its memory, each rule alone and grouped as the
// server groups them (brain/rules/rule-groups.ts). Writes bench/results/rules-engine-*.json.
//
//   node bench/rules-engine.mjs [--rules 1000] [--rate 20000] [--seconds 10] [--grouped-only]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RuleRun } from '../packages/server/dist/brain/rules/rule-run.js';
import { groupRules } from '../packages/server/dist/brain/rules/rule-groups.js';
import { routeTable, reads } from '../packages/server/dist/brain/rules/rule-routes.js';
import { cityDevices, geometryOf, typeByName } from './lib/rules-city.mjs';
import { ruleMix } from './lib/rules-mix.mjs';
import { machineInfo } from './lib/results.mjs';

const { values: v } = parseArgs({
  options: {
    rules: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    devices: { type: 'string', default: '2000' },
    'grouped-only': { type: 'boolean', default: false },
  },
});
const R = Number(v.rules);
const RATE = Number(v.rate);
const SECONDS = Number(v.seconds);
const D = Number(v.devices);
const AREAS = 10;
const T0 = Date.UTC(2026, 0, 1);

const rules = ruleMix({ count: R, areas: AREAS, perDeviceRate: RATE / D }).map((r) => r.rule);
const devices = cityDevices({ devices: D, areas: AREAS }).map((d) => {
  const g = geometryOf(d.areaIndex);
  const context = { areaServed: d.area, location: { type: 'Point', coordinates: g.home } };
  return { ...d, t: typeByName.get(d.type), g, pos: [...g.home], context };
});

/** A device's report at `t`, as the load generator sends it (a trigger's spike now and then). */
function factOf(d, t, seq, spike, rand) {
  const p = d.t.primary;
  const s = d.t.secondary;
  const attrs = {};
  if (d.role === 'trigger') {
    attrs[p.name] = spike ? p.spike : p.base;
    if (s) attrs[s.name] = s.base;
    else attrs.location = { type: 'Point', coordinates: spike ? d.g.inZone : d.g.home };
  } else {
    attrs[p.name] = p.lo + rand() * (p.hi - p.lo);
    if (s) attrs[s.name] = s.lo + rand() * (s.hi - s.lo);
    else {
      d.pos[0] += (rand() - 0.5) * 0.0001;
      attrs.location = { type: 'Point', coordinates: [...d.pos] };
    }
  }
  return { entityId: d.id, entityType: d.type, t, seq, attrs, context: d.context };
}

/** Feeds the stream to the runs as RuleEngine does (routes, ticks); answers the figures. */
function run(grouped) {
  let now = T0;
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const timing = { latenessMs: 10_000, idleGraceMs: 5_000, clock: () => now };
  const runs = (grouped ? groupRules(rules) : rules.map((r) => [r])).map((group) => {
    const r = new RuleRun(group, timing);
    r.goLive(new Set(), []);
    return r;
  });
  const byType = routeTable(runs);
  const out = [];
  let raised = 0;
  let cleared = 0;
  const decided = () => {
    for (const o of out) {
      if (o.type === 'revise') continue;
      if ((o.type === 'emit') === (o.signal.kind === 'raise')) raised++;
      else cleared++;
    }
    out.length = 0;
  };
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const total = RATE * SECONDS;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastTick = now;
  for (let i = 0; i < total; i++) {
    now = T0 + Math.floor((i * 1000) / RATE);
    const d = devices[i % D];
    const fact = factOf(d, now, i, d.role === 'trigger' && (i / D) % 50 === 7, rand);
    let last;
    for (const route of byType.get(fact.entityType) ?? []) {
      if (route.run === last || !reads(route, fact)) continue;
      last = route.run;
      route.run.ingest(fact, out);
      if (out.length > 0) decided();
    }
    if (now - lastTick >= 1000) {
      for (const r of runs) r.tick(out);
      decided();
      lastTick = now;
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  global.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
  const keys = runs.reduce((n, r) => n + r.engine.stats.keys, 0);
  return {
    mode: grouped ? 'grouped' : 'each rule alone',
    runs: runs.length,
    facts: total,
    factsPerSecond: Math.round(total / (ms / 1000)),
    cpuMicrosPerFact: Math.round(((cpu.user + cpu.system) / total) * 10) / 10,
    heapMb: Math.round(heapMb),
    keys,
    raised,
    cleared,
  };
}

const result = {
  benchmark: 'rules-engine',
  finishedAt: '',
  machine: machineInfo(),
  parameters: { rules: R, rate: RATE, seconds: SECONDS, devices: D },
  modes: v['grouped-only'] ? [run(true)] : [run(false), run(true)],
};
result.finishedAt = new Date().toISOString();
console.log(
  `rules-engine: ${R} rules, ${RATE} obs/s of event time for ${SECONDS} s, ${D} devices (one core, no server)`,
);
for (const m of result.modes)
  console.log(
    `  ${m.mode.padEnd(16)} ${String(m.runs).padStart(5)} runs  ${m.factsPerSecond.toLocaleString('en')} facts/s  ${m.cpuMicrosPerFact} µs CPU/fact  heap +${m.heapMb} MB (${m.keys.toLocaleString('en')} keys)  ${m.raised} raised, ${m.cleared} cleared`,
  );
const dir = fileURLToPath(new URL('./results', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = join(dir, `rules-engine-${result.finishedAt.replace(/:/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`results: ${file}`);
