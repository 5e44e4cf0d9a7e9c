// The MQTT side shared by the load generators (bench/mqtt-load.mjs, lib/broker-load.mjs,
// lib/rules-load.mjs): one MQTT 3.1.1 connection per device, QoS 1 publishes with their
// in-flight accounting (per device and in total), the drain of what is still unacknowledged,
// and the close. What is published when, and what is timed, stays with each generator.
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';

/** Connections opened at once: a burst of thousands of CONNECTs is not what is measured. */
const CONNECT_CONCURRENCY = 16;

/** Epoch ms for a device's next observation: strictly increasing, so every one is a distinct point. */
export function nextObservedAt(d) {
  const observedAt = Math.max(d.lastObservedAt + 1, Date.now());
  d.lastObservedAt = observedAt;
  return observedAt;
}

/**
 * A fleet of MQTT devices on the broker at `mqttUrl`. `devices`: [{id, secret, …}], kept with
 * their fields plus `topic`, `client`, `inflight`, `sent`, `acked`, `errors`, `lastObservedAt`
 * and `closed`.
 */
export class DeviceFleet {
  /** Publishes in flight, all devices together. */
  inflight = 0;
  /** Set by close(): connections closing from then on are expected. */
  stopping = false;
  #drained = null;

  #mqttUrl;
  #connectTimeout;

  constructor(devices, { mqttUrl, connectTimeout = 20_000 }) {
    this.#mqttUrl = mqttUrl;
    this.#connectTimeout = connectTimeout;
    this.devices = devices.map((d) => ({
      ...d,
      topic: `citybrain/v1/devices/${d.id}/attrs`,
      client: null,
      inflight: 0,
      sent: 0,
      acked: 0,
      errors: 0,
      lastObservedAt: 0,
      closed: false,
    }));
  }

  /**
   * Connects every device, a few at a time; answers the milliseconds it took. `onLost(d)`: a
   * connection closed before close(); `onError(d, err)`: a client error before close().
   */
  async connect({ onLost = () => {}, onError = () => {} } = {}) {
    const t = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < this.devices.length)
        await this.#connectOne(this.devices[next++], onLost, onError);
    };
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_CONCURRENCY, this.devices.length) }, worker),
    );
    return performance.now() - t;
  }

  async #connectOne(d, onLost, onError) {
    d.client = await mqtt.connectAsync(this.#mqttUrl, {
      clientId: d.id,
      username: d.id,
      password: d.secret,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.#connectTimeout,
      keepalive: 60,
    });
    d.client.on('close', () => {
      if (!d.closed && !this.stopping) onLost(d);
      d.closed = true;
    });
    // Always listened to: an unheard 'error' event would end the generator.
    d.client.on('error', (err) => {
      if (!this.stopping) onError(d, err);
    });
  }

  /** Whether `d` can publish now. */
  canPublish(d) {
    return !d.closed && d.client.connected;
  }

  /**
   * Publishes `payload` with QoS 1 and counts it in flight; on its PUBACK (or error) counts it
   * settled, acked or errored, then calls `onSettled(err)`.
   */
  publish(d, payload, onSettled) {
    d.sent++;
    d.inflight++;
    this.inflight++;
    d.client.publish(d.topic, payload, { qos: 1 }, (err) => {
      d.inflight--;
      this.inflight--;
      if (err) d.errors++;
      else d.acked++;
      onSettled(err);
      if (this.inflight === 0 && this.#drained) this.#drained();
    });
  }

  /** Waits until nothing is in flight, at most `timeoutMs`; answers the milliseconds waited. */
  async drain(timeoutMs) {
    const start = performance.now();
    if (this.inflight > 0) {
      let timer;
      await Promise.race([
        new Promise((r) => (this.#drained = r)),
        new Promise((r) => (timer = setTimeout(r, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    return performance.now() - start;
  }

  /** Closes every connection (forced when publishes are still in flight); answers those in flight. */
  async close() {
    this.stopping = true;
    const inflightAtEnd = this.inflight;
    await Promise.all(
      this.devices.map((d) => d.client?.endAsync(inflightAtEnd > 0).catch(() => {})),
    );
    return inflightAtEnd;
  }

  /** Publishes sent, acknowledged and errored, all devices together. */
  totals() {
    const sum = (f) => this.devices.reduce((a, d) => a + f(d), 0);
    return { sent: sum((d) => d.sent), acked: sum((d) => d.acked), errors: sum((d) => d.errors) };
  }

  /** One device's publish counts, for the result. */
  static countsOf(d) {
    return { id: d.id, sent: d.sent, acked: d.acked, errors: d.errors, inflightAtEnd: d.inflight };
  }
}
