import { createHmac } from 'node:crypto';

/**
 * A device's MQTT secret, derived from the admin token: the same token gives the same
 * secrets, so a restart on the same data directory can reuse the devices it registered.
 */
export function deviceSecret(adminToken: string, deviceId: string): string {
  const key = createHmac('sha256', 'citybrain-sim/device-secret/v1').update(adminToken).digest();
  return createHmac('sha256', key).update(deviceId).digest('hex');
}
