// How much state the rule engine should hold for the bench city, counted by the benchmark from
// the rules and the devices (the server exposes no such figure): keys per rule (an entity, an
// area, the city), open windows, and the facts kept for late arrivals. Used to turn the
// server's memory growth into a figure per key and per window.

/** The engine keeps each key's facts newer than its watermark (newest − lateness), ms. */
const LATENESS_MS = 10_000;

const selects = (select, d) =>
  d.type === select.entityType && (select.area === undefined || d.area === select.area);

/** Open windows per key of a window spec: ceil(size / slide). */
const windowsOf = (w) =>
  w.type === 'tumbling' ? 1 : Math.ceil(w.sizeSeconds / (w.slideSeconds ?? w.sizeSeconds));

/**
 * Per rule kind: rules, keys, open windows, facts held in the lateness buffers (one reference per
 * rule and fact: the facts themselves are shared) and rate samples held, for devices reporting
 * `perDeviceRate` observations/s each.
 */
export function expectedState({ rules, devices, perDeviceRate }) {
  const byKind = {};
  const total = {
    rules: 0,
    keys: 0,
    windows: 0,
    lateFactRefs: 0,
    rateSamples: 0,
    factsPerSecond: 0,
  };
  for (const rule of rules) {
    const k = (byKind[rule.kind] ??= {
      rules: 0,
      keys: 0,
      windows: 0,
      lateFactRefs: 0,
      rateSamples: 0,
      factsPerSecond: 0,
    });
    const add = (field, n) => {
      k[field] += n;
      total[field] += n;
    };
    add('rules', 1);
    const selections =
      rule.kind === 'correlation' ? rule.conditions.map((c) => c.select) : [rule.select];
    const matching = devices.filter((d) => selections.some((s) => selects(s, d)));
    const areas = new Set(matching.map((d) => d.area)).size;
    let keys;
    let windows = 0;
    switch (rule.kind) {
      case 'aggregate': {
        const by = rule.groupBy ?? 'entity';
        keys = by === 'entity' ? matching.length : by === 'area' ? areas : 1;
        windows = keys * windowsOf(rule.window);
        break;
      }
      case 'countInArea':
        keys = 1;
        break;
      case 'correlation':
        keys = areas;
        windows = areas * rule.conditions.reduce((n, c) => n + windowsOf(c.window), 0);
        break;
      default:
        keys = matching.length;
    }
    add('keys', keys);
    add('windows', windows);
    const factsPerSecond = matching.length * perDeviceRate;
    add('factsPerSecond', factsPerSecond);
    add('lateFactRefs', (factsPerSecond * LATENESS_MS) / 1000);
    if (rule.kind === 'rate') add('rateSamples', factsPerSecond * rule.overSeconds);
  }
  return { total, byKind };
}
