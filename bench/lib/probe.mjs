// Publish-to-queryable probe: one extra device publishes a fresh value (QoS 0) every
// `intervalMs` and polls the public NGSI-LD API until that value is visible.
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { api } from './server.mjs';
import { summarize } from './stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Connects the probe device; call start() to begin probing and stop() for the figures. */
export async function connectProbe({
  server,
  device,
  intervalMs = 200,
  pollDelayMs = 2,
  timeoutMs = 10_000,
}) {
  const client = await mqtt.connectAsync(server.mqttUrl, {
    clientId: device.id,
    username: device.id,
    password: device.secret,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 20_000,
  });
  const topic = `citybrain/v1/devices/${device.id}/attrs`;
  const path = `/ngsi-ld/v1/entities/${encodeURIComponent(`urn:ngsi-ld:AirQualityObserved:${device.id}`)}?options=keyValues`;
  const latencies = [];
  let timeouts = 0;
  let polls = 0;
  let published = 0;
  let httpErrors = 0;
  let lastObservedAt = 0;
  let stopped = false;
  let loop = null;
  let result = null;

  async function once(seq) {
    const value = 1_000_000 + seq; // unique: it can only be this probe's
    lastObservedAt = Math.max(lastObservedAt + 1, Date.now());
    const t0 = performance.now();
    client.publish(topic, `{"observedAt":${lastObservedAt},"pm25":${value}}`, { qos: 0 });
    published++;
    while (performance.now() - t0 < timeoutMs) {
      polls++;
      try {
        const res = await api(server, path);
        if (res.status === 200 && res.body?.pm25 === value) {
          latencies.push(performance.now() - t0);
          return;
        }
        if (res.status !== 200 && res.status !== 404) httpErrors++;
      } catch {
        httpErrors++;
      }
      if (pollDelayMs > 0) await sleep(pollDelayMs);
    }
    timeouts++;
  }

  return {
    start() {
      loop = (async () => {
        for (let seq = 0; !stopped; seq++) {
          const started = performance.now();
          await once(seq);
          const rest = intervalMs - (performance.now() - started);
          if (rest > 0 && !stopped) await sleep(rest);
        }
      })();
    },
    stop() {
      result ??= (async () => {
        stopped = true;
        await loop;
        await client.endAsync().catch(() => {});
        return summary();
      })();
      return result;
    },
  };

  function summary() {
    return {
      published,
      visible: latencies.length,
      timeouts,
      polls,
      httpErrors,
      intervalMs,
      pollDelayMs,
      latencyMs: summarize(latencies),
    };
  }
}
