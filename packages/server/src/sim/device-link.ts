import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/** Counters shared by every device link of a simulation. */
export interface LinkCounters {
  published: number;
  acked: number;
  errors: number;
  /** Readings not sent because the device was offline or too many were awaiting PUBACK. */
  skipped: number;
}

/** One device's MQTT connection to the platform. */
export interface DeviceLink {
  readonly connected: boolean;
  /** Publishes one JSON payload (QoS 1) to the device's own attrs topic. */
  publish(payload: string): void;
  /** Ends the connection, letting pending acknowledgements arrive for a moment. */
  close(): Promise<void>;
}

/** Thrown when the broker refuses the device's credentials (CONNACK 4/5, or 134/135 in MQTT 5). */
export class DeviceAuthError extends Error {
  override readonly name = 'DeviceAuthError';
}

const AUTH_CODES = new Set([4, 5, 134, 135]);
const MAX_IN_FLIGHT = 20;
const CONNECT_ATTEMPTS = 3;
const CLOSE_GRACE_MS = 2000;

/** What a device link needs. */
export interface DeviceLinkOptions {
  deviceId: string;
  secret: string;
  mqttUrl: string;
  logger: Logger;
  counters: LinkCounters;
}

async function connectDevice(options: DeviceLinkOptions): Promise<MqttClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectAsync(options.mqttUrl, {
        clientId: options.deviceId,
        username: options.deviceId,
        password: options.secret,
        protocolVersion: 4,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number' && AUTH_CODES.has(code))
        throw new DeviceAuthError(`the broker refused ${options.deviceId}'s credentials`, {
          cause: err,
        });
      if (attempt >= CONNECT_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** Connects a device over MQTT with its id and secret, as a real device would. */
export async function openDeviceLink(options: DeviceLinkOptions): Promise<DeviceLink> {
  const { deviceId, logger, counters } = options;
  const client = await connectDevice(options);
  const topic = `citybrain/v1/devices/${deviceId}/attrs`;
  let inFlight = 0;
  let reported = false;
  client.on('error', (err) => {
    counters.errors++;
    // The first error of a device is worth a warning; repeats while reconnecting are noise.
    if (!reported) logger.warn({ err, deviceId }, 'simulated device connection error');
    else logger.debug({ err, deviceId }, 'simulated device connection error');
    reported = true;
  });
  client.on('connect', () => {
    reported = false;
  });
  return {
    get connected() {
      return client.connected;
    },
    publish(payload) {
      if (!client.connected || inFlight >= MAX_IN_FLIGHT) {
        counters.skipped++;
        return;
      }
      counters.published++;
      inFlight++;
      void client
        .publishAsync(topic, payload, { qos: 1 })
        .then(() => {
          counters.acked++;
        })
        .catch((err: unknown) => {
          counters.errors++;
          logger.debug({ err, deviceId }, 'simulated publish failed');
        })
        .finally(() => {
          inFlight--;
        });
    },
    async close() {
      // Give pending PUBACKs a moment, then end without waiting on a broker that may be gone.
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (inFlight > 0 && client.connected && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await client.endAsync(true);
    },
  };
}
