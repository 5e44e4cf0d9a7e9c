// One scale-out phase: N nodes over PostgreSQL + NATS + Mosquitto under device load, the
// measured window, the backlog drained, every acknowledged message verified, all torn down.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from './child-reaper.mjs';
import { cpuSnapshot, processesNamed } from './host-cpu.mjs';
import { sampleActivity } from './pg-activity.mjs';
import { connectProbe } from './probe.mjs';
import { startCluster } from './scale-out-cluster.mjs';
import { nodeProfile, phaseFigures } from './scale-out-figures.mjs';
import { clusterMetrics, committedOf, verifyStored } from './scale-out-metrics.mjs';
import { diagnose } from './scale-out-report.mjs';
import { registerDevices } from './server.mjs';

const LOAD_SCRIPT = fileURLToPath(new URL('./broker-load.mjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n) => n.toLocaleString('en-US');

/** What the CPU figures are made of: the phase's processes, by pid or by name. */
function cpuGroups(cluster) {
  const ofDatabase = (p) => p.cmdline.includes(` ${cluster.database} `);
  const groups = {
    mosquitto: cluster.broker.pid,
    'nats-server': () => processesNamed('nats-server').map((p) => p.pid),
    'postgres (this database)': () =>
      processesNamed('postgres')
        .filter(ofDatabase)
        .map((p) => p.pid),
    'postgres (rest of the server)': () =>
      processesNamed('postgres')
        .filter((p) => !ofDatabase(p))
        .map((p) => p.pid),
  };
  for (const n of cluster.nodes) groups[`node ${n.name}`] = n.pid;
  return groups;
}

/**
 * Every 200 ms: what the nodes have committed (their /metrics), handed to `onStored` (the
 * generator's end-to-end window), and kept about once a second for the timeline.
 */
function watchStored(nodes, onStored) {
  const state = { total: 0, perNode: nodes.map(() => 0), timeline: [] };
  let busy = false;
  let tick = 0;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const perNode = await Promise.all(nodes.map((n) => committedOf(n)));
      state.perNode = perNode;
      state.total = perNode.reduce((a, b) => a + b, 0);
      onStored(state.total);
      if (++tick % 5 === 0) state.timeline.push({ at: performance.now(), total: state.total });
    } catch {
      // a node busy or gone: the next tick tries again
    } finally {
      busy = false;
    }
  }, 200);
  return { state, stop: () => clearInterval(timer) };
}

/** Waits until the nodes have committed `acked` load messages (and the probe's, if not lost). */
async function waitDrained(nodes, acked, probePublished) {
  const started = performance.now();
  let last = -1;
  let steadySince = started;
  for (;;) {
    const total = (await Promise.all(nodes.map((n) => committedOf(n)))).reduce((a, b) => a + b, 0);
    if (total >= acked + probePublished) break;
    if (total !== last) steadySince = performance.now();
    last = total;
    // QoS 0 probe messages may be lost: no progress for 5 s with every load message counted.
    if (total >= acked && performance.now() - steadySince > 5000) break;
    if (performance.now() - started > 300_000) break;
    await sleep(250);
  }
  return (performance.now() - started) / 1000;
}

/** Runs the load generator; resolves its result with the snapshots of the window. */
async function driveLoad({ opts, cluster, configPath, probe, phase }) {
  const { nodes } = cluster;
  const groups = cpuGroups(cluster);
  const generator = trackChild(
    fork(LOAD_SCRIPT, [configPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const exited = new Promise((res) =>
    generator.once('exit', (code, signal) => res({ code, signal })),
  );
  const stored = watchStored(nodes, (total) => generator.send({ type: 'stored', total }, () => {}));
  const snapshot = () =>
    cpuSnapshot(
      { ...groups, generator: generator.pid },
      nodes.map((n) => n.pid),
    );
  const out = { result: null, error: null, atMeasure: null, atEnd: null, stored };
  let activity = null;
  const waits = [];
  const watchdog = setTimeout(
    () => generator.kill('SIGKILL'),
    (opts.warmupSeconds + opts.seconds + 180) * 1000,
  );
  generator.on('message', (msg) => {
    if (msg.type === 'phase' && msg.phase === 'measure') {
      const cpu = snapshot();
      waits.push(
        clusterMetrics(nodes).then((m) => (out.atMeasure = { cpu, metrics: m, acked: msg.acked })),
      );
      probe.start();
      waits.push(
        sampleActivity({ adminUrl: opts.postgres, database: cluster.database }).then(
          (s) => (activity = s),
        ),
      );
    } else if (msg.type === 'phase' && msg.phase === 'drain') {
      const cpu = snapshot();
      waits.push(
        clusterMetrics(nodes).then((m) => (out.atEnd = { cpu, metrics: m, acked: msg.acked })),
      );
      waits.push(probe.stop().then((p) => (phase.probe = p)));
      waits.push(
        (async () => {
          // The sampler may still be connecting when the window is short.
          while (!activity) await sleep(20);
          phase.postgresActivity = await activity.stop();
        })(),
      );
    } else if (msg.type === 'tick' && (msg.second + 1) % 5 === 0) {
      const s = stored.state;
      console.log(
        `  t=${String(msg.second + 1).padStart(3)} s  published ${fmt(msg.sent).padStart(7)}/s` +
          `  stored so far ${fmt(s.total).padStart(9)} (${s.perNode.map(fmt).join(' + ')})` +
          `  unstored ${fmt(msg.sentTotal - s.total)}`,
      );
    } else if (msg.type === 'result') out.result = msg;
    else if (msg.type === 'error') out.error = msg.message;
  });
  try {
    const exit = await exited;
    await Promise.all(waits);
    if (!out.result)
      throw new Error(`load generator failed (${exit.code ?? exit.signal}): ${out.error}`);
    return out;
  } finally {
    clearTimeout(watchdog);
    if (generator.exitCode === null && generator.signalCode === null) generator.kill('SIGKILL');
    stored.stop();
  }
}

/** One scale-out phase with `count` nodes; the shape printReport and the JSON use. */
export async function scaleOutPhase(opts, count, run) {
  const nodeEnv = {};
  if (opts.connections) nodeEnv.CITYBRAIN_MQTT__CONNECTIONS = String(opts.connections);
  if (opts.poolSize) nodeEnv.CITYBRAIN_STORE__POOL_SIZE = String(opts.poolSize);
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  console.log(`\n== ${count} node${count > 1 ? 's' : ''}: PostgreSQL + NATS + Mosquitto ==`);
  const cluster = await startCluster({
    count,
    adminUrl: opts.postgres,
    natsUrl: opts.nats,
    run,
    nodeEnv,
    keepData: opts.keepData,
    nodeArgs: opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [],
  });
  const { nodes, broker } = cluster;
  const loadDir = mkdtempSync(join(tmpdir(), 'cb-bench-scaleout-load-'));
  let probe = null;
  let phase = { phase: `${count} node${count > 1 ? 's' : ''}`, nodes: count, ok: false };
  try {
    console.log(
      `  nodes ${nodes.map((n) => `${n.name} pid ${n.pid} :${n.httpPort}`).join(', ')}; broker pid ${broker.pid} ${broker.url}; database ${cluster.database}`,
    );
    const ids = Array.from(
      { length: opts.devices },
      (_, i) => `bench-${String(i + 1).padStart(4, '0')}`,
    );
    const devices = await registerDevices(nodes[0], [...ids, 'bench-probe']);
    // The probe reads through every node in turn: queryable means through any node.
    let turn = 0;
    const anyNode = {
      get url() {
        return nodes[turn++ % nodes.length].url;
      },
      token: cluster.token,
      mqttUrl: broker.url,
    };
    // Polls 10 ms apart (run.mjs: 2 ms): latencies here are hundreds of ms, and a tighter
    // loop would load the nodes it measures with a few hundred requests a second.
    probe = await connectProbe({
      server: anyNode,
      device: devices.find((d) => d.id === 'bench-probe'),
      intervalMs: opts.probeIntervalMs,
      pollDelayMs: 10,
    });
    const configPath = join(loadDir, 'load.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        mqttUrl: broker.url,
        devices: devices
          .filter((d) => d.id !== 'bench-probe')
          .map(({ id, secret }) => ({ id, secret })),
        seconds: opts.seconds,
        warmupSeconds: opts.warmupSeconds,
        inflight: opts.inflight,
        maxUnstored: opts.maxUnstored,
        rate: opts.rate,
        drainTimeoutMs: 60_000,
      }),
      { mode: 0o600 },
    );
    const load = await driveLoad({ opts, cluster, configPath, probe, phase });
    const acked = load.result.totals.acked;
    const drainSeconds = await waitDrained(nodes, acked, phase.probe?.published ?? 0);
    console.log(
      `  window over; the backlog drained in ${drainSeconds.toFixed(1)} s; verifying ${fmt(acked)} acknowledged observations...`,
    );
    const finalMetrics = await clusterMetrics(nodes);
    const verification = await verifyStored(nodes, load.result.perDevice);
    verification.ok = verification.ok && load.result.totals.inflightAtEnd === 0;
    verification.metricObservationsTotal = finalMetrics.committedTotal;
    verification.probePublished = phase.probe?.published ?? 0;
    // Redeliveries committed again (absorbed by the (entity, attribute, observedAt) key).
    verification.recommitted = Math.max(
      0,
      finalMetrics.committedTotal - verification.found - (phase.probe?.visible ?? 0),
    );
    phase = {
      ...phase,
      ...phaseFigures({
        nodes,
        atMeasure: load.atMeasure,
        atEnd: load.atEnd,
        timeline: load.stored.state.timeline,
        loadResult: load.result,
      }),
      sessionsPerNode: opts.connections ?? null,
      drainSeconds,
      verification,
    };
  } finally {
    if (probe) await probe.stop().catch(() => {});
    const stops = await cluster.stop();
    rmSync(loadDir, { recursive: true, force: true });
    const exits = stops.find((s) => s.nodeExits)?.nodeExits ?? [];
    phase.nodeExits = exits.map((e) => ({ ...e, ok: e.code === 0 && !e.killed }));
    phase.teardown = stops;
    phase.streamAtEnd = cluster.streamState;
    phase.database = cluster.database;
    if (opts.cpuProfDir && phase.monoUsWindow)
      phase.nodeProfiles = nodes.map((n) =>
        nodeProfile(opts.cpuProfDir, n.pid, phase.monoUsWindow),
      );
  }
  phase.ok =
    phase.verification.ok &&
    phase.nodeExits.length === count &&
    phase.nodeExits.every((e) => e.ok) &&
    phase.load.errors === 0 &&
    phase.load.disconnects === 0;
  phase.diagnosis = diagnose(phase, opts.rate);
  return phase;
}
