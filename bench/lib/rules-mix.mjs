// The rules of the rules benchmark: a deterministic mix of every kind over the bench city
// (lib/rules-city.mjs). Each rule comes with what the benchmark expects of it (`expect`):
//   spike        raises at every spike of a matching trigger device (decided by that observation)
//   spike-first  raises at the first spike of each matching trigger vehicle (geofence `enter`)
//   window       raises at the end of each window holding a spike whose previous window held none
//   absence      raises when a silent device has been silent long enough
//   count        fires now and then (correlation): counted, not timed
//   none         never holds: any alert is unexpected
import { areaName, geometryOf, TYPES } from './rules-city.mjs';

/** Share of each kind in the mix (the rest of the rounding goes to thresholds). */
export const MIX = {
  aggregate: 0.35,
  rate: 0.06,
  absence: 0.04,
  geofence: 0.04,
  countInArea: 0.04,
  correlation: 0.02,
};

/** A small deterministic PRNG (mulberry32), so that a run's rules can be rebuilt. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const CATEGORY = {
  AirQualityObserved: ['environment', 'airPollution'],
  NoiseLevelObserved: ['environment', 'noise'],
  WaterQualityObserved: ['water', 'waterQuality'],
  Vehicle: ['traffic', 'vehicle'],
};
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/**
 * `count` rules for the city: thresholds and aggregates mostly, then rate, absence, geofence,
 * countInArea and correlation. `citywideShare` of the rules read a type everywhere, the others
 * one area. `perDeviceRate` (observations/s of one device) bounds how many values an entity's
 * window holds, for the per-entity averages that must fire. Returns [{rule, expect}].
 */
export function ruleMix({
  count,
  areas,
  citywideShare = 0.3,
  perDeviceRate = 10,
  entityKeysOnly = false,
  seed = 6,
}) {
  // DIAGNOSTIC: every rule keyed by entity (no area/city groups, no countInArea, no correlation).
  const group = (by) => (entityKeysOnly ? 'entity' : by);
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const between = (a, b) => a + (b - a) * rand();
  const n = Object.fromEntries(
    Object.entries(MIX).map(([k, share]) => [k, Math.max(1, Math.round(count * share))]),
  );
  n.threshold = Math.max(1, count - Object.values(n).reduce((a, b) => a + b, 0));
  const out = [];
  let seq = 0;
  const common = (kind, t, name) => {
    const [category, subCategory] = CATEGORY[t.type];
    return {
      id: `rb-${kind}-${String(++seq).padStart(4, '0')}`,
      name,
      severity: pick(SEVERITIES),
      category,
      subCategory,
      kind,
    };
  };
  const choose = (i) => {
    const t = TYPES[i % TYPES.length];
    const k = Math.floor(i / TYPES.length) % areas;
    const area = rand() < citywideShare ? undefined : areaName(k);
    return { t, k, area, select: { entityType: t.type, ...(area && { area }) } };
  };
  const where = (area) => (area ? ` in ${area}` : ' anywhere');

  for (let i = 0; i < n.threshold; i++) {
    const { t, area, select } = choose(i);
    const p = t.primary;
    if (i % 2 === 0 || !t.secondary) {
      // Fires at the trigger devices' spikes (forSeconds 0: the spike itself decides).
      const value = round(between(p.hi, p.spike) * 0.8 + p.hi * 0.2 + 0.5);
      const clear =
        i % 6 === 0 ? { operator: '<=', value: p.hi, forSeconds: i % 12 === 0 ? 1 : 0 } : undefined;
      out.push({
        rule: {
          ...common('threshold', t, `${p.name} > ${value}${where(area)}`),
          select,
          attribute: p.name,
          operator: '>',
          value,
          forSeconds: 0,
          ...(clear && { clear }),
        },
        expect: { mode: 'spike' },
      });
    } else {
      const s = t.secondary;
      const low = s.name === 'pH' && i % 4 === 1;
      const value = low ? round(s.lo - 0.3 - rand()) : round(s.hi * between(1.1, 1.5));
      const operator = low ? '<' : '>';
      out.push({
        rule: {
          ...common('threshold', t, `${s.name} ${operator} ${value}${where(area)} for a while`),
          select,
          attribute: s.name,
          operator,
          value,
          forSeconds: pick([0, 30, 60, 300]),
          ...(i % 3 === 0 && {
            clear: { operator: low ? '>=' : '<=', value: low ? s.lo : s.hi, forSeconds: 60 },
          }),
        },
        expect: { mode: 'none' },
      });
    }
  }

  for (let i = 0; i < n.aggregate; i++) {
    const { t, k, area, select } = choose(i);
    const p = t.primary;
    const s = t.secondary;
    const variant = i % 20;
    const agg = (fields, name, expect) =>
      out.push({
        rule: { ...common('aggregate', t, name), select, ...fields },
        expect,
      });
    if (variant < 4) {
      // The worst value of an area over a window (area-grouped), fired by a spike in it.
      const window = pick([
        { type: 'tumbling', sizeSeconds: 1 },
        { type: 'tumbling', sizeSeconds: 2 },
        { type: 'tumbling', sizeSeconds: 5 },
        { type: 'sliding', sizeSeconds: 10, slideSeconds: 2 },
        { type: 'sliding', sizeSeconds: 6, slideSeconds: 3 },
      ]);
      const value = round(between(p.hi + 1, p.spike - 1));
      agg(
        {
          attribute: p.name,
          function: 'max',
          window,
          groupBy: group('area'),
          operator: '>',
          value,
        },
        `max(${p.name}) per area over ${window.sizeSeconds} s > ${value}${where(area)}`,
        { mode: 'window', keyBy: group('area') },
      );
    } else if (variant < 6) {
      // One area as a whole (groupBy all within a selected area).
      const window = pick([
        { type: 'tumbling', sizeSeconds: 2 },
        { type: 'sliding', sizeSeconds: 4, slideSeconds: 1 },
      ]);
      const value = round(between(p.hi + 1, p.spike - 1));
      const one = areaName(k);
      out.push({
        rule: {
          ...common(
            'aggregate',
            t,
            `max(${p.name}) in ${one} over ${window.sizeSeconds} s > ${value}`,
          ),
          select: { entityType: t.type, area: one },
          attribute: p.name,
          function: 'max',
          window,
          groupBy: group('all'),
          operator: '>',
          value,
        },
        expect: { mode: 'window', keyBy: group('all') },
      });
    } else if (variant < 9) {
      // Per entity: the average over 1 s (if a spike is sure to lift it over) or the maximum.
      const nMax = Math.ceil(perDeviceRate * 1.5) + 2;
      const avgBound = p.base + (p.spike - p.base) / nMax;
      const useAvg = avgBound - p.hi > 1 && variant !== 8;
      const value = useAvg
        ? round(between(p.hi + 0.2 * (avgBound - p.hi), p.hi + 0.8 * (avgBound - p.hi)), 2)
        : round(between(p.hi + 1, p.spike - 1));
      const fn = useAvg ? 'avg' : 'max';
      const window = useAvg
        ? { type: 'tumbling', sizeSeconds: 1 }
        : { type: 'tumbling', sizeSeconds: 2 };
      agg(
        { attribute: p.name, function: fn, window, groupBy: 'entity', operator: '>', value },
        `${fn}(${p.name}) per device over ${window.sizeSeconds} s > ${value}${where(area)}`,
        { mode: 'window', keyBy: 'entity' },
      );
    } else if (variant < 12) {
      // An area gone dark: fewer than one report in a minute (never, here).
      agg(
        {
          attribute: p.name,
          function: 'count',
          window: { type: 'tumbling', sizeSeconds: 60 },
          groupBy: group('area'),
          operator: '<',
          value: 1,
        },
        `no ${p.name} report per area in 1 min${where(area)}`,
        { mode: 'none' },
      );
    } else if (variant < 15 && s) {
      const window = pick([
        { type: 'sliding', sizeSeconds: 60, slideSeconds: 10 },
        { type: 'tumbling', sizeSeconds: 30 },
      ]);
      const value = round(s.hi * 1.05, 2);
      agg(
        {
          attribute: s.name,
          function: 'avg',
          window,
          groupBy: group(pick(['area', 'all'])),
          operator: '>',
          value,
        },
        `avg(${s.name}) over ${window.sizeSeconds} s > ${value}${where(area)}`,
        { mode: 'none' },
      );
    } else if (variant < 17 && s) {
      const value = round(s.hi * 1.1, 2);
      agg(
        {
          attribute: s.name,
          function: 'percentile',
          percentile: 95,
          window: { type: 'tumbling', sizeSeconds: pick([10, 30]) },
          groupBy: group('area'),
          operator: '>',
          value,
        },
        `p95(${s.name}) per area > ${value}${where(area)}`,
        { mode: 'none' },
      );
    } else if (s) {
      const value = round(s.lo * 0.8, 2);
      agg(
        {
          attribute: s.name,
          function: pick(['min', 'avg']),
          window: { type: 'tumbling', sizeSeconds: pick([5, 10]) },
          groupBy: 'entity',
          operator: '<',
          value,
        },
        `${s.name} too low per device${where(area)}`,
        { mode: 'none' },
      );
    } else {
      // Vehicles: the average speed of an area over a minute (never above 80 here).
      agg(
        {
          attribute: p.name,
          function: 'avg',
          window: { type: 'sliding', sizeSeconds: 60, slideSeconds: 10 },
          groupBy: group('area'),
          operator: '>',
          value: 80,
        },
        `mean ${p.name} per area over 1 min > 80${where(area)}`,
        { mode: 'none' },
      );
    }
  }

  const withSecondary = TYPES.filter((t) => t.secondary);
  for (let i = 0; i < n.rate; i++) {
    const t = withSecondary[i % withSecondary.length];
    const k = Math.floor(i / withSecondary.length) % areas;
    const area = rand() < 0.3 ? undefined : areaName(k);
    const s = t.secondary;
    const overSeconds = pick([10, 30, 60]);
    // Beyond the steepest change background values can make: never.
    const value = round(((s.hi - s.lo) * 60 * 1.5) / overSeconds, 2);
    out.push({
      rule: {
        ...common('rate', t, `${s.name} rising > ${value}/min over ${overSeconds} s${where(area)}`),
        select: { entityType: t.type, ...(area && { area }) },
        attribute: s.name,
        overSeconds,
        perSeconds: 60,
        operator: '>',
        value,
      },
      expect: { mode: 'none' },
    });
  }

  for (let i = 0; i < n.absence; i++) {
    const { t, area, select } = choose(i);
    const silentForSeconds = pick([5, 10, 30, 120, 600]);
    out.push({
      rule: {
        ...common('absence', t, `${t.short} silent ${silentForSeconds} s${where(area)}`),
        select,
        silentForSeconds,
      },
      expect: { mode: 'absence', silentMs: silentForSeconds * 1000 },
    });
  }

  const vehicle = TYPES.find((t) => t.type === 'Vehicle');
  for (let i = 0; i < n.geofence; i++) {
    const k = i % areas;
    const g = geometryOf(k);
    const on = i % 10 < 7 ? 'both' : 'enter';
    const area = rand() < 0.5 ? undefined : areaName(k);
    out.push({
      rule: {
        ...common(
          'geofence',
          vehicle,
          `vehicle ${on === 'both' ? 'inside' : 'enters'} zone ${areaName(k)}`,
        ),
        select: { entityType: vehicle.type, ...(area && { area }) },
        area: i % 2 === 0 ? g.smallZone : g.largeZone,
        on,
      },
      expect: { mode: on === 'both' ? 'spike' : 'spike-first', zone: k },
    });
  }

  for (let i = 0; i < n.countInArea; i++) {
    const k = i % areas;
    const g = geometryOf(k);
    const timed = i % 5 < 3;
    const area = rand() < 0.5 ? undefined : areaName(k);
    const select = { entityType: vehicle.type, ...(area && { area }) };
    if (entityKeysOnly) {
      out.push({
        rule: {
          ...common('geofence', vehicle, `vehicle inside zone ${areaName(k)}`),
          select,
          area: i % 2 === 0 ? g.smallZone : g.largeZone,
          on: 'both',
        },
        expect: { mode: 'spike', zone: k },
      });
      continue;
    }
    const rule = timed
      ? {
          ...common('countInArea', vehicle, `vehicles in zone ${areaName(k)}`),
          select,
          area: i % 2 === 0 ? g.smallZone : g.largeZone,
          ...(i % 4 < 2 && { where: { attribute: 'speed', operator: '>', value: 100 } }),
          operator: '>=',
          value: 1,
        }
      : {
          ...common('countInArea', vehicle, `crowded ${areaName(k)}`),
          select,
          area: g.cell,
          operator: '>',
          value: 100_000,
        };
    out.push({ rule, expect: timed ? { mode: 'spike', zone: k } : { mode: 'none' } });
  }

  const [aq, noise, water] = TYPES;
  for (let i = 0; i < n.correlation; i++) {
    const k = i % areas;
    const area = i % 4 === 3 ? undefined : areaName(k);
    const cond = (t, label) => ({
      label,
      select: { entityType: t.type, ...(area && { area }) },
      attribute: t.primary.name,
      function: 'max',
      window: { type: 'tumbling', sizeSeconds: 10 },
      operator: '>',
      value: round((t.primary.hi + t.primary.spike) / 2),
    });
    if (entityKeysOnly) {
      const value = round((aq.primary.hi + aq.primary.spike) / 2);
      out.push({
        rule: {
          ...common('threshold', aq, `${aq.primary.name} > ${value}${where(area)}`),
          select: { entityType: aq.type, ...(area && { area }) },
          attribute: aq.primary.name,
          operator: '>',
          value,
        },
        expect: { mode: 'spike' },
      });
      continue;
    }
    const conditions = [cond(aq, 'air'), cond(noise, 'noise')];
    if (i % 3 === 0) conditions.push(cond(water, 'water'));
    out.push({
      rule: {
        ...common(
          'correlation',
          aq,
          `air, noise${conditions.length > 2 ? ', water' : ''} together${where(area)}`,
        ),
        conditions,
        withinSeconds: pick([20, 30, 60]),
      },
      expect: { mode: 'count' },
    });
  }
  return out;
}
