// What the rules benchmark expects the server to raise during the measured window, derived from
// the rules (lib/rules-mix.mjs) and what the load generator actually sent (its spikes, the
// first observation of each stream after each second, the silent devices' last reports); and
// the match of those expectations with the alerts that came on the event stream.
import { percentile, summarize } from './stats.mjs';
import { typeByName } from './rules-city.mjs';

/** The absence deadline is decided once the silent key's clock has gone this far past it, ms. */
const ABSENCE_DELAY_MS = 10_000 + 5_000 + 2_000; // lateness + idle grace + tick and slack

const selects = (select, d) =>
  d.type === select.entityType && (select.area === undefined || d.area === select.area);

/** The window ends (≡ size mod slide) of the windows holding time t: E in (t, t + size]. */
function endsHolding(t, size, slide) {
  const out = [];
  let e = Math.floor((t - size) / slide) * slide + size;
  while (e <= t) e += slide;
  for (; e <= t + size; e += slide) out.push(e);
  return out;
}

/**
 * The alerts the run must raise with their decision time `at` in [from, to] (epoch ms): [{rule,
 * kind, class, key, at, t0}] where t0 is the publish time (hr ms) of the observation that
 * decided it, or null when it is not known (absence: decided by the clock); and those it may
 * raise or not ({…, optional: true}: an absence decided too near the window's end).
 */
export function expectedAlerts({ plan, devices, load, from, to }) {
  const triggers = devices.filter((d) => d.role === 'trigger');
  const spikesOf = new Map();
  for (const s of load.spikes) {
    const list = spikesOf.get(s.id) ?? [];
    list.push(s);
    spikesOf.set(s.id, list);
  }
  const closing = (stream, end) =>
    (load.boundaries[stream] ?? []).find((b) => b.from <= end && end <= b.to) ?? null;
  const inRange = (at) => at >= from && at <= to;
  const out = [];
  for (const { rule, expect } of plan) {
    const matching = (d) =>
      selects(rule.select, d) && (expect.zone === undefined || d.areaIndex === expect.zone);
    const cls = rule.kind === 'aggregate' ? `aggregate/${expect.keyBy}` : rule.kind;
    const push = (key, at, t0) =>
      out.push({ rule: rule.id, kind: rule.kind, class: cls, key, at, t0 });
    if (expect.mode === 'spike' || expect.mode === 'spike-first') {
      for (const d of triggers.filter(matching)) {
        if (rule.kind === 'threshold') {
          const p = typeByName.get(d.type).primary;
          if (rule.attribute !== p.name || !(p.spike > rule.value)) continue;
        }
        const list = spikesOf.get(d.id) ?? [];
        const key = rule.kind === 'countInArea' ? 'all' : d.entityId;
        for (const s of expect.mode === 'spike' ? list : list.slice(0, 1))
          if (inRange(s.t)) push(key, s.t, s.hr);
      }
    } else if (expect.mode === 'window') {
      const size = rule.window.sizeSeconds * 1000;
      const slide =
        rule.window.type === 'tumbling'
          ? size
          : (rule.window.slideSeconds ?? rule.window.sizeSeconds) * 1000;
      // Spikes per key, with the stream whose next observation closes the key's windows.
      const keys = new Map();
      for (const d of triggers.filter(matching)) {
        const key =
          expect.keyBy === 'entity' ? d.entityId : expect.keyBy === 'area' ? d.area : 'all';
        const stream = expect.keyBy === 'entity' ? `d:${d.id}` : `a:${d.type}:${d.area}`;
        const entry = keys.get(key) ?? { stream, times: [] };
        for (const s of spikesOf.get(d.id) ?? []) entry.times.push(s.t);
        keys.set(key, entry);
      }
      for (const [key, { stream, times }] of keys) {
        const holding = new Set(times.flatMap((t) => endsHolding(t, size, slide)));
        for (const end of [...holding].sort((a, b) => a - b))
          if (!holding.has(end - slide) && inRange(end))
            push(key, end, closing(stream, end)?.hr ?? null);
      }
    } else if (expect.mode === 'absence') {
      for (const s of load.silent) {
        const d = devices.find((x) => x.id === s.id);
        if (!s.silenced || s.lastObservedAt === null || !matching(d)) continue;
        const at = s.lastObservedAt + expect.silentMs;
        if (!inRange(at)) continue;
        // Decided by the clock up to ABSENCE_DELAY_MS after `at`: too near the window's end,
        // it may come before the stream closes or not; either is right.
        if (at + ABSENCE_DELAY_MS <= load.measureEndEpoch) push(d.entityId, at, null);
        else
          out.push({
            rule: rule.id,
            kind: rule.kind,
            class: cls,
            key: d.entityId,
            at,
            optional: true,
          });
      }
    }
  }
  return out;
}

/** summarize() with p95. */
function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  return { ...summarize(sorted), p95: percentile(sorted, 95) };
}

const idOf = (rule, key, at) => `${rule}\u0000${key}\u0000${at}`;

/**
 * Matches the raised alerts of the stream with the expected ones. An alert counts once, when
 * first seen raised. Answers latencies (publish of the deciding observation → alert on the
 * stream) overall and per class, what is missing, and what came unexpected.
 */
export function matchAlerts({ expected, frames, plan, from, to, hrOfEpoch }) {
  const modeOf = new Map(plan.map(({ rule, expect }) => [rule.id, expect.mode]));
  const kindOf = new Map(plan.map(({ rule }) => [rule.id, rule.kind]));
  const firstRaised = new Map();
  for (const f of frames)
    if (f.status === 'raised' && !firstRaised.has(f.id)) firstRaised.set(f.id, f);
  const arrived = new Map();
  for (const f of firstRaised.values()) {
    const id = idOf(f.rule, f.key, f.dateIssued);
    if (!arrived.has(id)) arrived.set(id, f);
  }
  const latencies = [];
  const timed = [];
  const byClass = new Map();
  const sinceDecision = [];
  const missing = [];
  const expectedIds = new Set();
  const required = expected.filter((e) => !e.optional);
  for (const e of expected.filter((x) => x.optional)) expectedIds.add(idOf(e.rule, e.key, e.at));
  for (const e of required) {
    const id = idOf(e.rule, e.key, e.at);
    expectedIds.add(id);
    const f = arrived.get(id);
    if (!f) {
      missing.push(e);
      continue;
    }
    const list = byClass.get(e.class) ?? { latencies: [], untimed: 0 };
    byClass.set(e.class, list);
    if (e.t0 === null) {
      list.untimed++;
      sinceDecision.push(f.hr - hrOfEpoch(e.at));
      continue;
    }
    latencies.push(f.hr - e.t0);
    list.latencies.push(f.hr - e.t0);
    timed.push({ rule: e.rule, class: e.class, t0: e.t0, ms: f.hr - e.t0 });
  }
  // Alerts decided by the same observation go out one after the other: the first of each
  // burst is the engine's latency plus one alert's writes; the rest queue behind it.
  const bursts = new Map();
  for (const a of timed) bursts.set(a.t0, [...(bursts.get(a.t0) ?? []), a]);
  const firstOfBurst = [];
  const byPosition = [];
  for (const list of bursts.values()) {
    list.sort((a, b) => a.ms - b.ms);
    firstOfBurst.push(list[0].ms);
    list.forEach((a, i) => {
      a.position = i;
      (byPosition[i] ??= []).push(a.ms);
    });
  }
  const unexpected = [];
  let outside = 0;
  let counted = 0;
  const countedByRule = new Map();
  for (const f of firstRaised.values()) {
    if (!(f.dateIssued >= from && f.dateIssued <= to)) {
      outside++;
      continue;
    }
    const mode = modeOf.get(f.rule);
    if (mode === 'count') {
      counted++;
      countedByRule.set(f.rule, (countedByRule.get(f.rule) ?? 0) + 1);
      continue;
    }
    if (!expectedIds.has(idOf(f.rule, f.key, f.dateIssued)))
      unexpected.push({
        rule: f.rule,
        kind: kindOf.get(f.rule) ?? 'not a bench rule',
        key: f.key,
        at: f.dateIssued,
        mode: mode ?? 'none',
      });
  }
  return {
    expected: required.length,
    arrived: required.length - missing.length,
    missing,
    unexpected,
    unexpectedByKind: unexpected.reduce(
      (acc, u) => ({ ...acc, [u.kind]: (acc[u.kind] ?? 0) + 1 }),
      {},
    ),
    raisedOnStream: firstRaised.size,
    outsideWindow: outside,
    correlationRaised: counted,
    correlationRulesFired: countedByRule.size,
    latencyMs: latencySummary(latencies),
    firstOfBurstMs: latencySummary(firstOfBurst),
    bursts: bursts.size,
    // Median latency of the i-th alert of a burst (i = 0, 1, …): how alerts queue.
    medianByPositionMs: byPosition.map((l) => summarize(l).p50),
    timed: timed.slice(0, 20_000),
    byClass: Object.fromEntries(
      [...byClass].map(([k, v]) => [k, { ...latencySummary(v.latencies), untimed: v.untimed }]),
    ),
    absenceAfterDeadlineMs: latencySummary(sinceDecision),
  };
}
