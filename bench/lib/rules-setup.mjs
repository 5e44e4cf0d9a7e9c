// Puts the bench city into the server over its public API: the devices (POST /api/v1/devices)
// and the rules (PUT /api/v1/rules/<id>), then proves that the rule engine runs them all: a
// canary rule, put last, must raise an alert from a canary device's observation.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { api, mapLimit } from './server.mjs';
import { registrationOf } from './rules-city.mjs';

// Bounded, so that putting the city in is never what swamps the server: each rule PUT makes the
// engine reload every rule, and the bus delivers those reloads after the PUT has answered.
const RULE_CONCURRENCY = 4;
const DEVICE_CONCURRENCY = 8;
const BATCH = 100;

/** Waits for the server's event loop to answer a liveness probe: back-pressure between batches. */
async function settled(server) {
  const res = await fetch(`${server.url}/health/live`);
  await res.arrayBuffer();
}

/** Runs `fn` over `items` in batches of BATCH, `limit` at a time, each batch followed by a settle. */
async function inBatches(server, items, limit, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += BATCH) {
    out.push(...(await mapLimit(items.slice(i, i + BATCH), limit, fn)));
    await settled(server);
  }
  return out;
}

/** Registers the devices; answers them with their secret and entity id. */
export async function registerCityDevices(server, devices) {
  return inBatches(server, devices, DEVICE_CONCURRENCY, async (d) => {
    const secret = randomBytes(18).toString('base64url');
    const res = await api(server, '/api/v1/devices', {
      method: 'POST',
      json: registrationOf(d, secret),
    });
    if (res.status !== 201)
      throw new Error(`registering ${d.id}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
    return { ...d, secret: res.body?.secret ?? secret, entityId: res.body?.entityId };
  });
}

/** The active rules the server lists (GET /api/v1/rules). */
export async function activeRules(server) {
  const res = await api(server, '/api/v1/rules');
  if (res.status !== 200) throw new Error(`GET /api/v1/rules: HTTP ${res.status}`);
  return res.body.filter((r) => (r.status ?? 'active') === 'active');
}

/**
 * Waits until the rule engine has put the rules into the groups they form together (`groups`:
 * groupRules of the active rules) and rebuilt them: rules put one after another are first
 * evaluated apart, and put together once unchanged for a while (RuleEngine's regrouping).
 * Answers the seconds waited and the groups seen, or throws after `timeoutMs`.
 */
export async function awaitRulesGrouped(server, groups, scrape, { timeoutMs = 120_000 } = {}) {
  const t0 = performance.now();
  const gauge = (metrics, name) => metrics.find((m) => m.name === name)?.value ?? null;
  for (;;) {
    const metrics = await scrape(server);
    const seen = gauge(metrics, 'citybrain_rules_groups');
    const rebuilding = gauge(metrics, 'citybrain_rules_rebuilding');
    if (seen === groups && rebuilding === 0)
      return { seconds: (performance.now() - t0) / 1000, groups: seen };
    if (performance.now() - t0 > timeoutMs)
      throw new Error(
        `the rules are in ${seen} runs (${rebuilding} rebuilding), not ${groups} groups, after ${timeoutMs / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How many alerts the server holds (GET /api/v1/alerts, X-Total-Count). */
export async function countAlerts(server) {
  try {
    const res = await fetch(`${server.url}/api/v1/alerts?limit=1`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    await res.arrayBuffer();
    return res.status === 200 ? Number(res.headers.get('x-total-count')) : null;
  } catch {
    return null; // an overloaded server: the count is missing from the report, not fatal
  }
}

/** PUTs the rules (in batches, a few at a time); answers how long it took. */
export async function putRules(server, rules) {
  const t0 = performance.now();
  await inBatches(server, rules, RULE_CONCURRENCY, async (rule) => {
    const res = await api(server, `/api/v1/rules/${rule.id}`, { method: 'PUT', json: rule });
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`PUT rule ${rule.id}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
  });
  return (performance.now() - t0) / 1000;
}

const CANARY_TYPE = 'BenchCanary';

/**
 * Registers a canary device, puts a threshold rule on it (after every other rule: the engine
 * reloads on each change, in order), publishes until its alert is on the event stream, then
 * deletes the rule. Answers {seconds from the PUT to the alert, observations published}.
 */
export async function proveRulesLoaded(server, stream, { timeoutMs = 120_000 } = {}) {
  const id = 'rb-canary';
  const secret = randomBytes(18).toString('base64url');
  const reg = await api(server, '/api/v1/devices', {
    method: 'POST',
    json: { id, entityType: CANARY_TYPE, secret, attributes: {} },
  });
  if (reg.status !== 201) throw new Error(`registering the canary: HTTP ${reg.status} ${reg.text}`);
  const rule = {
    id,
    kind: 'threshold',
    name: 'bench canary',
    severity: 'low',
    category: 'bench',
    select: { entityType: CANARY_TYPE },
    attribute: 'level',
    operator: '>',
    value: 0,
  };
  const t0 = performance.now();
  const put = await api(server, `/api/v1/rules/${id}`, { method: 'PUT', json: rule });
  if (put.status !== 201) throw new Error(`PUT the canary rule: HTTP ${put.status} ${put.text}`);
  const client = await mqtt.connectAsync(server.mqttUrl, {
    clientId: id,
    username: id,
    password: reg.body?.secret ?? secret,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  try {
    let level = 0;
    let published = 0;
    let t = Date.now();
    while (performance.now() - t0 < timeoutMs) {
      // Alternating 0 and 1: each 1 after a 0 raises again once the rule runs.
      t = Math.max(t + 1, Date.now());
      await client.publishAsync(
        `citybrain/v1/devices/${id}/attrs`,
        JSON.stringify({ observedAt: t, level: (level = 1 - level) }),
        { qos: 1 },
      );
      published++;
      if (stream.frames.some((f) => f.rule === id && f.status === 'raised')) {
        const seconds = (performance.now() - t0) / 1000;
        const del = await api(server, `/api/v1/rules/${id}`, { method: 'DELETE' });
        if (del.status !== 204 && del.status !== 200)
          throw new Error(`DELETE the canary rule: HTTP ${del.status}`);
        return { seconds, published };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `the canary rule raised nothing in ${timeoutMs / 1000} s: the rules are not running`,
    );
  } finally {
    await client.endAsync().catch(() => {});
  }
}
