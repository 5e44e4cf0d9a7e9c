import type { Logger } from 'pino';
import { slugOf } from './city-entities.js';
import { DEFAULT_CITY_SEED, generateCity, type City } from './city.js';
import {
  DeviceAuthError,
  openDeviceLink,
  type DeviceLink,
  type LinkCounters,
} from './device-link.js';
import { planDevices, type SimulatedDevice } from './device-plan.js';
import { deviceSecret } from './device-secret.js';
import { episodeLevel, type EpisodeOptions } from './episode.js';
import { mapLimit } from './map-limit.js';
import { createPlatformClient, type PlatformClient } from './platform-client.js';
import { provisionCity, registerDevices } from './provision.js';
import { provisionSharing } from './sharing-demo.js';

/** How to run the simulated city. */
export interface SimulationOptions {
  /** The platform's HTTP base URL, e.g. `http://127.0.0.1:8080`. */
  httpUrl: string;
  /** The MQTT broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  mqttUrl: string;
  /** Operator token for creating the city and registering devices. */
  adminToken: string;
  devicesPerKind: number;
  /** Each device publishes once per interval; devices are spread evenly across it. */
  intervalMs: number;
  /** Same seed, same city and devices (default {@link DEFAULT_CITY_SEED}). */
  seed?: number;
  episode?: EpisodeOptions;
  logger: Logger;
  /** Aborting stops the simulation (or its start-up). */
  signal?: AbortSignal;
}

/** Running totals of a simulation. */
export interface SimulationStats {
  devices: number;
  connected: number;
  published: number;
  acked: number;
  errors: number;
  skipped: number;
}

/** A running simulation. */
export interface Simulation {
  readonly city: City;
  readonly devices: readonly SimulatedDevice[];
  stats(): SimulationStats;
  /** Stops publishing and ends every MQTT connection; safe to call twice. */
  stop(): Promise<void>;
}

const MQTT_CONNECT_CONCURRENCY = 32;

async function connectAll(
  devices: readonly SimulatedDevice[],
  options: SimulationOptions,
  platform: PlatformClient,
  counters: LinkCounters,
): Promise<Map<string, DeviceLink>> {
  const links = new Map<string, DeviceLink>();
  const { logger, mqttUrl } = options;
  let reRegistered = 0;
  const connect = async (device: SimulatedDevice): Promise<DeviceLink> => {
    const secret = deviceSecret(options.adminToken, device.id);
    const open = () => openDeviceLink({ deviceId: device.id, secret, mqttUrl, logger, counters });
    try {
      return await open();
    } catch (err) {
      if (!(err instanceof DeviceAuthError)) throw err;
      // Registered earlier with another secret (another admin token): register it afresh.
      logger.debug({ deviceId: device.id }, 'simulated device secret changed; re-registering');
      reRegistered++;
      await platform.deleteDevice(device.id);
      await platform.registerDevice(device, secret);
      return open();
    }
  };
  await mapLimit(devices, MQTT_CONNECT_CONCURRENCY, async (device) => {
    if (options.signal?.aborted) return;
    try {
      links.set(device.id, await connect(device));
    } catch (err) {
      counters.errors++;
      logger.error({ err, deviceId: device.id }, 'simulated device could not connect; left out');
    }
  });
  if (reRegistered > 0)
    logger.warn(
      { reRegistered },
      'simulated devices registered under another admin token were registered afresh',
    );
  return links;
}

/** Starts the simulated city: creates it over HTTP, registers its devices, and publishes over MQTT. */
export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
  const { logger, signal, intervalMs } = options;
  signal?.throwIfAborted();
  const seed = options.seed ?? DEFAULT_CITY_SEED;
  const city = generateCity({ seed });
  const devices = planDevices({ city, devicesPerKind: options.devicesPerKind, seed });
  const districts = city.districts.map((d) => slugOf(d.id));
  const defaultDistrict = districts[0] ?? '';
  const wanted = options.episode?.district;
  if (wanted !== undefined && !districts.includes(wanted))
    logger.warn(
      { district: wanted, districts },
      `no district "${wanted}" in the simulated city; the episode hits ${defaultDistrict}`,
    );
  const episode: EpisodeOptions | undefined = options.episode && {
    ...options.episode,
    district: wanted !== undefined && districts.includes(wanted) ? wanted : defaultDistrict,
  };

  const platform = createPlatformClient({
    httpUrl: options.httpUrl,
    adminToken: options.adminToken,
    signal,
  });
  await provisionCity(platform, city, logger);
  await provisionSharing(platform, episode?.district ?? defaultDistrict, logger);
  await registerDevices(platform, devices, (id) => deviceSecret(options.adminToken, id), logger);
  const counters: LinkCounters = { published: 0, acked: 0, errors: 0, skipped: 0 };
  const links = await connectAll(devices, options, platform, counters);
  logger.info(
    { connected: links.size, devices: devices.length, intervalMs },
    'simulated devices connected',
  );

  const timers = new Set<NodeJS.Timeout>();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      signal?.removeEventListener('abort', onAbort);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...links.values()].map((link) => link.close()));
      logger.info(stats(), 'simulation stopped');
    })());
  const onAbort = (): void => void stop();
  const stats = (): SimulationStats => ({
    devices: devices.length,
    connected: [...links.values()].filter((l) => l.connected).length,
    ...counters,
  });
  if (signal?.aborted) {
    await stop();
    signal.throwIfAborted();
  }
  signal?.addEventListener('abort', onAbort, { once: true });

  // The city's clock starts now: the episode is timed from the first publication.
  const startedAt = Date.now();
  const later = (ms: number, run: () => void) => timers.add(setTimeout(run, ms));
  if (episode) {
    const district = episode.district ?? defaultDistrict;
    later(episode.startAfterSeconds * 1000, () =>
      logger.info(
        { district, pm25: episode.pm25, seconds: episode.durationSeconds },
        'pollution episode begins',
      ),
    );
    later((episode.startAfterSeconds + episode.durationSeconds) * 1000, () =>
      logger.info({ district }, 'pollution episode ends'),
    );
  }
  devices.forEach((device, index) => {
    const link = links.get(device.id);
    if (!link) return;
    let last: number | undefined;
    const tick = (): void => {
      const now = new Date();
      const dtSeconds = last === undefined ? 0 : (now.getTime() - last) / 1000;
      last = now.getTime();
      const elapsed = (now.getTime() - startedAt) / 1000;
      const reading = device.model({
        now,
        dtSeconds,
        episode: episodeLevel(episode, defaultDistrict, device.district, elapsed),
      });
      link.publish(JSON.stringify({ observedAt: now.toISOString(), ...reading }));
    };
    // Stagger devices evenly over one interval so the load is smooth.
    later(Math.floor((index * intervalMs) / devices.length), () => {
      tick();
      timers.add(setInterval(tick, intervalMs));
    });
  });
  return { city, devices, stats, stop };
}
