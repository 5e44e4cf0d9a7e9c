import type { Logger } from 'pino';
import type { City } from './city.js';
import type { SimulatedDevice } from './device-plan.js';
import { mapLimit } from './map-limit.js';
import type { PlatformClient } from './platform-client.js';

const HTTP_CONCURRENCY = 16;

/** Creates the city's districts, communities and roads (districts first: communities refer to them). */
export async function provisionCity(
  client: PlatformClient,
  city: City,
  logger: Logger,
): Promise<{ created: number; existed: number }> {
  let created = 0;
  let existed = 0;
  for (const group of [city.districts, city.communities, city.roads]) {
    const replies = await mapLimit(group, HTTP_CONCURRENCY, (e) => client.createEntity(e));
    for (const reply of replies) {
      if (reply.created) created++;
      if (reply.existed) existed++;
    }
  }
  logger.info(
    {
      created,
      existed,
      districts: city.districts.length,
      communities: city.communities.length,
      roads: city.roads.length,
    },
    'simulated city entities in place',
  );
  return { created, existed };
}

/** Registers every device with its derived secret; an already registered device is kept. */
export async function registerDevices(
  client: PlatformClient,
  devices: readonly SimulatedDevice[],
  secretOf: (deviceId: string) => string,
  logger: Logger,
): Promise<{ registered: number; existed: number }> {
  let registered = 0;
  let existed = 0;
  await mapLimit(devices, HTTP_CONCURRENCY, async (device) => {
    const reply = await client.registerDevice(device, secretOf(device.id));
    if (reply.created) registered++;
    if (reply.existed) existed++;
  });
  logger.info({ registered, existed, devices: devices.length }, 'simulated devices registered');
  return { registered, existed };
}
