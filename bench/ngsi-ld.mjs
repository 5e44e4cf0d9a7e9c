#!/usr/bin/env node
// NGSI-LD broker benchmark of the real citybrain server (issue 3 targets).
// Starts `citybrain up` on a fresh data directory, loads N entities through the public batch
// API, then measures GET by id, type+q queries, geo near-queries and attribute updates over
// HTTP (autocannon and a precise closed loop), and a temporal aggregation over 30 days of
// 1-minute data, then what the data-sharing policy adds to a read (issue 5). Writes
// bench/results/ngsi-ld-<timestamp>.json and ngsi-ld-latest.json.
// With --store <postgres url> the same phases run against a node on a fresh PostgreSQL
// database (ngsi-ld-postgres-<timestamp>.json, ngsi-ld-postgres-latest.json).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cannon, closedLoop } from './lib/http-load.mjs';
import { BBOX, entityId, makeEntity, rng, TYPES, typeQueryPath } from './lib/ngsi-ld-city.mjs';
import { POLICY_OVERHEAD_TARGET_PERCENT, policyPhase } from './lib/policy-phase.mjs';
import { policyLines, policyProfileLines, policyProfiles } from './lib/policy-report.mjs';
import { readMemory } from './lib/proc.mjs';
import { adminQuery, databaseUrl, postgresSettings } from './lib/postgres-admin.mjs';
import { machineInfo } from './lib/results.mjs';
import { api, mapLimit, startServer } from './lib/server.mjs';
import { round } from './lib/stats.mjs';

/** A URL without its password, for results and logs. */
const redactUrl = (url) => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const TARGETS = {
  getP99Ms: 5,
  getPerSec: 15_000,
  queryP95Ms: 25,
  nearP95Ms: 25,
  updatesPerSec: 10_000,
  aggregationMs: 300,
  policyOverheadPercent: POLICY_OVERHEAD_TARGET_PERCENT,
};

const HELP = `Usage: node bench/ngsi-ld.mjs [options]   (npm run bench builds first)

Options:
  --entities <n>          entities loaded through /entityOperations/create (default 1000000)
  --seconds <n>           seconds per throughput phase                     (default 10)
  --temporal-entities <n> entities with 30 days of 1-minute history        (default 1000)
  --temporal-days <n>     days of history per temporal entity               (default 30)
  --quick                 smoke run: 50,000 entities, 3 s phases, 20 temporal entities
  --only <phases>         DIAGNOSTIC: run only these phases (get,query,near,patch,temporal,policy);
                          such a run never counts as meeting the targets
  --reuse-data <dir>      DIAGNOSTIC: run on <dir> (created and kept if absent; when it exists,
                          the entities are assumed loaded by an earlier run with the same --entities)
  --server-cpu-prof <dir> DIAGNOSTIC: run the server under --cpu-prof and print where its CPU went
  --store <postgres url>  run against PostgreSQL: a fresh database is created on that server
                          (the URL's database is only used to connect) and dropped afterwards;
                          results go to ngsi-ld-postgres-*.json. The full run takes ~14 min
                          here (the 43.2M history instances ~8.5 min). --reuse-data <name>
                          then names the database
  --keep-data             keep the data directory (and the PostgreSQL database)
  --no-write              print only
  -h, --help              this help`;

function options() {
  const { values } = parseArgs({
    options: {
      entities: { type: 'string' },
      seconds: { type: 'string' },
      'temporal-entities': { type: 'string' },
      'temporal-days': { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'reuse-data': { type: 'string' },
      'server-cpu-prof': { type: 'string' },
      store: { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const int = (v, d) => (v === undefined ? d : Number.parseInt(v, 10));
  const q = values.quick;
  if (values.store !== undefined && !/^postgres(ql)?:\/\//.test(values.store)) {
    console.log(`--store must be a postgres:// URL, got ${JSON.stringify(values.store)}`);
    process.exit(2);
  }
  if (
    values.store !== undefined &&
    values['reuse-data'] &&
    !/^[a-z_][a-z0-9_]{0,62}$/.test(values['reuse-data'])
  ) {
    console.log('with --store, --reuse-data names a database: lower-case letters, digits, _');
    process.exit(2);
  }
  return {
    entities: int(values.entities, q ? 50_000 : 1_000_000),
    seconds: int(values.seconds, q ? 3 : 10),
    temporalEntities: int(values['temporal-entities'], q ? 20 : 1000),
    temporalDays: int(values['temporal-days'], 30),
    quick: q,
    only: values.only?.split(','),
    reuseData: values['reuse-data'],
    cpuProf: values['server-cpu-prof'],
    store: values.store,
    keepData: values['keep-data'],
    write: !values['no-write'],
  };
}

async function load(server, n, log) {
  const random = rng(42);
  const batch = 1000;
  const started = performance.now();
  const batches = Array.from({ length: Math.ceil(n / batch) }, (_, b) => b);
  let done = 0;
  let lastLog = started;
  await mapLimit(batches, 2, async (b) => {
    const entities = [];
    for (let i = b * batch; i < Math.min(n, (b + 1) * batch); i++)
      entities.push(makeEntity(i, random));
    const res = await api(server, '/ngsi-ld/v1/entityOperations/create', {
      method: 'POST',
      json: entities,
    });
    if (res.status !== 201)
      throw new Error(`batch create ${b}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    done += entities.length;
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`  loaded ${done.toLocaleString('en-US')} / ${n.toLocaleString('en-US')} entities`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { entities: n, seconds: round(seconds, 1), perSec: Math.round(n / seconds) };
}

async function loadTemporal(server, { entities, days }, log) {
  const minutes = days * 24 * 60;
  const start = Date.UTC(2026, 9, 1);
  const random = rng(7);
  const started = performance.now();
  let rows = 0;
  await mapLimit(
    Array.from({ length: entities }, (_, i) => i),
    2,
    async (i) => {
      const instances = new Array(minutes);
      let v = 15 + random() * 10;
      for (let m = 0; m < minutes; m++) {
        v += (random() - 0.5) * 0.2;
        instances[m] = {
          type: 'Property',
          value: round(v, 2),
          observedAt: new Date(start + m * 60_000).toISOString(),
        };
      }
      const res = await api(server, '/ngsi-ld/v1/temporal/entities', {
        method: 'POST',
        json: {
          id: `urn:ngsi-ld:WeatherSensor:t-${i}`,
          type: 'WeatherSensor',
          temperature: instances,
        },
      });
      if (res.status !== 201 && res.status !== 204)
        throw new Error(`temporal create ${i}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      rows += minutes;
      if (i % 50 === 0) log(`  temporal: ${i} / ${entities} entities`);
    },
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    entities,
    days,
    rows,
    seconds: round(seconds, 1),
    rowsPerSec: Math.round(rows / seconds),
    start,
  };
}

const nearMetresOf = (opts) => Math.round(300 * Math.sqrt(1_000_000 / opts.entities));

/** Which targets were met; undefined for a phase that did not run. */
function verdict(r) {
  const t = TARGETS;
  return {
    getP99: r.getById && r.getById.latencyMs.p99 < t.getP99Ms,
    getPerSec: r.getById && r.getById.perSec >= t.getPerSec && r.getById.non2xx === 0,
    queryP95: r.typeQuery && r.typeQuery.latencyMs.p95 < t.queryP95Ms && r.typeQuery.failures === 0,
    nearP95: r.nearQuery && r.nearQuery.latencyMs.p95 < t.nearP95Ms && r.nearQuery.failures === 0,
    updatesPerSec: r.updates && r.updates.perSec >= t.updatesPerSec && r.updates.non2xx === 0,
    aggregation:
      r.aggregation &&
      r.aggregation.latencyMs.p95 < t.aggregationMs &&
      r.aggregation.failures === 0,
    policyOverhead: r.policy && r.policy.target.met,
  };
}

async function main() {
  const opts = options();
  const log = (m) => console.error(m);
  const { existsSync } = await import('node:fs');
  let reuse = opts.reuseData !== undefined && existsSync(opts.reuseData);
  // With --store: a database of its own on that server (--reuse-data names it).
  let database = null;
  let dropDatabase = async () => {};
  if (opts.store) {
    database = opts.reuseData ?? `cb_bench_ngsild_${randomBytes(4).toString('hex')}`;
    const exists =
      (await adminQuery(opts.store, `SELECT 1 FROM pg_database WHERE datname = '${database}'`))
        .length > 0;
    reuse = opts.reuseData !== undefined && exists;
    if (!exists) await adminQuery(opts.store, `CREATE DATABASE ${database}`);
    if (opts.reuseData !== undefined) opts.keepData = true;
    dropDatabase = async () => {
      if (!opts.keepData)
        await adminQuery(opts.store, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    };
  } else if (opts.reuseData !== undefined) {
    const { mkdirSync: mk } = await import('node:fs');
    mk(opts.reuseData, { recursive: true });
    opts.keepData = true;
  }
  let server;
  try {
    server = await startServer({
      ...(!opts.store && opts.reuseData !== undefined && { dataDir: opts.reuseData }),
      ...(opts.store && { args: ['--store', databaseUrl(opts.store, database)] }),
      nodeArgs: opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [],
    });
  } catch (err) {
    await dropDatabase();
    throw err;
  }
  const run = (phase) => !opts.only || opts.only.includes(phase);
  const result = {
    benchmark: 'ngsi-ld',
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    parameters: { ...opts, ...(opts.store && { store: redactUrl(opts.store) }) },
    store: opts.store
      ? {
          kind: 'postgres',
          server: redactUrl(opts.store),
          database,
          settings: await postgresSettings(opts.store),
        }
      : { kind: 'sqlite' },
    targets: TARGETS,
  };
  try {
    log(`loading ${opts.entities.toLocaleString('en-US')} entities through the batch API…`);
    result.load = reuse
      ? { entities: opts.entities, seconds: 0, perSec: 0, reused: opts.reuseData }
      : await load(server, opts.entities, log);
    log(`  ${result.load.perSec.toLocaleString('en-US')} entities/s`);
    const random = rng(1);
    const anyId = () => encodeURIComponent(entityId(Math.floor(random() * opts.entities)));
    // The same expected number of entities near a point whatever the city's size.
    const nearMetres = nearMetresOf(opts);

    if (run('get')) log('GET /entities/{id} …');
    if (run('get'))
      result.getById = await cannon(server, {
        seconds: opts.seconds,
        connections: 16,
        build: () => ({ method: 'GET', path: `/ngsi-ld/v1/entities/${anyId()}` }),
      });
    if (run('query')) log('type + q query, page of 100 …');
    if (run('query'))
      result.typeQuery = await closedLoop(server, {
        seconds: opts.seconds,
        concurrency: 2,
        path: () => {
          const type = TYPES[Math.floor(random() * TYPES.length)];
          const min = 60 + Math.floor(random() * 20);
          return typeQueryPath(type, min);
        },
        check: (body) =>
          Array.isArray(body) && body.length === 100
            ? undefined
            : `got ${body.length} entities, wanted 100`,
      });
    if (run('near')) log('geo near-query …');
    if (run('near'))
      result.nearQuery = await closedLoop(server, {
        seconds: opts.seconds,
        concurrency: 2,
        path: () => {
          const lon = round(BBOX[0] + 0.05 + random() * (BBOX[2] - BBOX[0] - 0.1), 5);
          const lat = round(BBOX[1] + 0.05 + random() * (BBOX[3] - BBOX[1] - 0.1), 5);
          return `/ngsi-ld/v1/entities?georel=${encodeURIComponent(`near;maxDistance==${nearMetres}`)}&geometry=Point&coordinates=${encodeURIComponent(`[${lon},${lat}]`)}&limit=100`;
        },
        check: (body) => (Array.isArray(body) && body.length > 0 ? undefined : 'no entity near'),
      });
    if (run('patch')) log('PATCH /entities/{id}/attrs …');
    if (run('patch'))
      result.updates = await cannon(server, {
        seconds: opts.seconds,
        connections: 64,
        build: () => ({
          method: 'PATCH',
          path: `/ngsi-ld/v1/entities/${anyId()}/attrs`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
          body: JSON.stringify({
            temperature: { type: 'Property', value: round(random() * 40, 1) },
          }),
        }),
      });
    if (run('temporal')) {
      log(
        `loading temporal history: ${opts.temporalEntities} entities x ${opts.temporalDays} days of 1-minute data…`,
      );
      const t = await loadTemporal(
        server,
        { entities: opts.temporalEntities, days: opts.temporalDays },
        log,
      );
      result.temporalLoad = { ...t, start: new Date(t.start).toISOString() };
      const from = new Date(t.start).toISOString();
      const to = new Date(t.start + opts.temporalDays * 86_400_000).toISOString();
      log('temporal aggregation (avg per hour over the whole history of one entity) …');
      result.aggregation = await closedLoop(server, {
        seconds: Math.max(opts.seconds, 5),
        concurrency: 1,
        path: () =>
          `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(`urn:ngsi-ld:WeatherSensor:t-${Math.floor(random() * opts.temporalEntities)}`)}` +
          `?attrs=temperature&options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT1H&timerel=between&timeAt=${from}&endTimeAt=${to}`,
        check: (body) => {
          const avg = body.temperature?.avg ?? body.temperature?.[0]?.avg;
          const want = opts.temporalDays * 24;
          return Array.isArray(avg) && avg.length === want
            ? undefined
            : `wanted ${want} hourly averages, got ${avg?.length}`;
        },
      });
    }
    if (run('policy')) {
      log('policy check: operator, owner and grantee on GET by id and type + q …');
      result.policy = await policyPhase(server, {
        entities: opts.entities,
        seconds: opts.seconds,
        log,
      });
    }
    result.serverMemory = readMemory(server.pid);
  } finally {
    const stop = await server.stop();
    result.serverStop = stop;
    result.finishedAt = new Date().toISOString();
    if (!opts.keepData) {
      const { rmSync } = await import('node:fs');
      rmSync(server.dataDir, { recursive: true, force: true });
    } else result.dataDir = server.dataDir;
    await dropDatabase();
  }
  const v = (result.verdict = verdict(result));
  const ok = (b) => (b === undefined ? 'not run' : b ? 'met' : 'MISSED');
  const lines = [
    `citybrain NGSI-LD benchmark: ${opts.entities.toLocaleString('en-US')} entities${opts.quick ? ' (--quick)' : ''}${opts.only ? ` (--only ${opts.only.join(',')}: diagnostic)` : ''}` +
      ` on ${opts.store ? `PostgreSQL (${result.store.settings.server_version?.split(' ')[0]}, database ${database}${reuse ? ', reused' : ''})` : 'SQLite'}`,
    `  load (batch create)      ${result.load.perSec.toLocaleString('en-US')} entities/s (${result.load.seconds} s)`,
  ];
  const g = result.getById;
  if (g)
    lines.push(
      `  GET by id                ${g.perSec.toLocaleString('en-US')} req/s, p50 ${g.latencyMs.p50} ms, p99 ${g.latencyMs.p99} ms (autocannon, whole ms), non-2xx ${g.non2xx}   [${ok(v.getPerSec)} >= ${TARGETS.getPerSec}/s, ${ok(v.getP99)} p99 < ${TARGETS.getP99Ms} ms]`,
    );
  for (const [key, label, target, name] of [
    ['typeQuery', 'type + q, page of 100', TARGETS.queryP95Ms, 'queryP95'],
    ['nearQuery', `geo near (${nearMetresOf(opts)} m)`, TARGETS.nearP95Ms, 'nearP95'],
  ]) {
    const r = result[key];
    if (r)
      lines.push(
        `  ${label.padEnd(24)} p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, ${r.perSec}/s, failures ${r.failures}   [${ok(v[name])} p95 < ${target} ms]`,
      );
  }
  const u = result.updates;
  if (u)
    lines.push(
      `  PATCH attrs              ${u.perSec.toLocaleString('en-US')} updates/s, p99 ${u.latencyMs.p99} ms, non-2xx ${u.non2xx}   [${ok(v.updatesPerSec)} >= ${TARGETS.updatesPerSec}/s]`,
    );
  if (result.temporalLoad)
    lines.push(
      `  temporal load            ${result.temporalLoad.rows.toLocaleString('en-US')} instances (${opts.temporalEntities} entities), ${result.temporalLoad.rowsPerSec.toLocaleString('en-US')}/s`,
      `  aggregation avg/PT1H     p50 ${result.aggregation.latencyMs.p50} ms, p95 ${result.aggregation.latencyMs.p95} ms over ${opts.temporalDays} days x 1-minute, failures ${result.aggregation.failures}   [${ok(v.aggregation)} < ${TARGETS.aggregationMs} ms]`,
    );
  if (result.policy) lines.push(...policyLines(result.policy));
  lines.push(
    `  server RSS               ${result.serverMemory ? Math.round(result.serverMemory.rssKb / 1024) : 'n/a'} MB`,
  );
  console.log(`\n${lines.join('\n')}`);
  for (const k of ['typeQuery', 'nearQuery', 'aggregation'])
    if (result[k]?.lastFailure) console.log(`  ${k} last failure: ${result[k].lastFailure}`);
  if (opts.cpuProf) {
    const { readdirSync } = await import('node:fs');
    const { summarizeCpuProfile } = await import('./lib/cpuprofile.mjs');
    const file = readdirSync(opts.cpuProf)
      // The main thread's profile (thread 0) of the last server run; worker threads write .1, .2 …
      .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))
      .sort()
      .at(-1);
    if (file) {
      const summary = summarizeCpuProfile(`${opts.cpuProf}/${file}`, { top: 30 });
      console.log(JSON.stringify(summary, null, 1));
      if (result.policy?.getById) {
        const profiles = policyProfiles(`${opts.cpuProf}/${file}`, result.policy);
        result.policy.profile = profiles;
        console.log(policyProfileLines(profiles, result.policy.callers).join('\n'));
      }
    }
  }
  if (opts.write) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const text = `${JSON.stringify(result, null, 2)}\n`;
    // A PostgreSQL run does not replace the SQLite run's ngsi-ld-latest.json.
    const name = opts.store ? 'ngsi-ld-postgres' : 'ngsi-ld';
    const file = `${RESULTS_DIR}${name}-${result.finishedAt.replace(/:/g, '-')}.json`;
    writeFileSync(file, text);
    writeFileSync(`${RESULTS_DIR}${name}-latest.json`, text);
    console.log(`  results: ${file}`);
  }
  if (result.policy && !result.policy.verification.ok) {
    console.error('the policy phase FAILED its verification: see the lines above');
    process.exitCode = 1;
  }
  if (result.serverStop.code !== 0) {
    console.error(`the server did not stop cleanly: ${JSON.stringify(result.serverStop)}`);
    process.exitCode = 1;
  }
}

await main();
