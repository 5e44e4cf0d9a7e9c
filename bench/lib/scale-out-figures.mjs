// The figures of one scale-out phase, from the snapshots taken at the start and the end of
// its measured window: committed rate (total, per node, per second), backlog, CPU by process
// group, commit figures per node; and the nodes' CPU profiles of the window (diagnostic).
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { summarizeCpuProfile } from './cpuprofile.mjs';
import { cpuBetween } from './host-cpu.mjs';

/**
 * `atMeasure` / `atEnd`: {cpu: cpuSnapshot(), metrics: clusterMetrics(), acked: broker-acked
 * so far}; `timeline`: [{at, total}] about once a second; `loadResult`: the generator's result.
 */
export function phaseFigures({ nodes, atMeasure, atEnd, timeline, loadResult }) {
  const seconds = (atEnd.cpu.at - atMeasure.cpu.at) / 1000;
  const perNode = nodes.map(
    (_, i) =>
      (atEnd.metrics.perNode[i].committed - atMeasure.metrics.perNode[i].committed) / seconds,
  );
  const inWindow = timeline.filter((t) => t.at >= atMeasure.cpu.at && t.at <= atEnd.cpu.at);
  const perSecond = inWindow
    .slice(1)
    .map((t, i) => (t.total - inWindow[i].total) / ((t.at - inWindow[i].at) / 1000));
  const cpu = cpuBetween(atMeasure.cpu, atEnd.cpu);
  const nodeCpu = nodes.map((n) => cpu.groups[`node ${n.name}`]);
  const groups = {
    nodes: nodeCpu.reduce((a, b) => a + b, 0),
    'postgres (this database)': cpu.groups['postgres (this database)'],
    'postgres (rest of the server)': cpu.groups['postgres (rest of the server)'],
    'nats-server': cpu.groups['nats-server'],
    mosquitto: cpu.groups.mosquitto,
    generator: cpu.groups.generator,
  };
  const known = Object.values(groups).reduce((a, b) => a + (b ?? 0), 0) + cpu.selfPercent;
  return {
    store: 'PostgreSQL',
    committed: {
      perSecond: perNode.reduce((a, b) => a + b, 0),
      minPerSecond: perSecond.length ? Math.min(...perSecond) : null,
      maxPerSecond: perSecond.length ? Math.max(...perSecond) : null,
      inWindow: atEnd.metrics.committedTotal - atMeasure.metrics.committedTotal,
      perNode,
      timeline: perSecond.map((x) => Math.round(x)),
    },
    published: {
      ackedByBrokerInWindow: atEnd.acked - atMeasure.acked,
      perSecond: (atEnd.acked - atMeasure.acked) / seconds,
    },
    // Acknowledged to devices by the broker but not yet committed (± the probe's few QoS 0).
    backlogAtEnd: Math.max(0, atEnd.acked - atEnd.metrics.committedTotal),
    cpu: {
      seconds,
      groups,
      perNode: nodeCpu,
      nodeMainThreads: nodes.map((n) => cpu.mainThreads[n.pid] ?? null),
      machineBusyPercent: cpu.machineBusyPercent,
      machineIowaitPercent: cpu.machineIowaitPercent,
      selfPercent: cpu.selfPercent,
      // Machine CPU none of the above used: someone else's work on a shared machine.
      otherPercent:
        cpu.machineBusyPercent === null
          ? null
          : Math.max(0, cpu.machineBusyPercent * cpus().length - known),
      loadavgAtStart: cpu.loadavgAtStart,
      loadavgAtEnd: cpu.loadavgAtEnd,
    },
    commits: nodes.map((_, i) =>
      atEnd.metrics.perNode[i].commitsSince(atMeasure.metrics.perNode[i], seconds),
    ),
    generator: loadResult.generator,
    monoUsWindow: [atMeasure.cpu.monoUs, atEnd.cpu.monoUs],
    load: { ...loadResult.totals, window: loadResult.window },
  };
}

/** The main-thread profile a node wrote at exit (node --cpu-prof), summarised for the window. */
export function nodeProfile(dir, pid, [fromUs, toUs]) {
  // node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one.
  const file = readdirSync(dir).find((f) => f.includes(`.${pid}.0.`) && f.endsWith('.cpuprofile'));
  return file ? summarizeCpuProfile(join(dir, file), { fromUs, toUs, top: 20 }) : null;
}
