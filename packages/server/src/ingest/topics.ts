/** Prefix of every device topic. */
export const DEVICE_TOPIC_PREFIX = 'citybrain/v1/devices/';

/** The topic a device publishes its observations to. */
export function attrsTopic(deviceId: string): string {
  return `${DEVICE_TOPIC_PREFIX}${deviceId}/attrs`;
}

/** The topic a device subscribes to for commands. */
export function commandTopic(deviceId: string): string {
  return `${DEVICE_TOPIC_PREFIX}${deviceId}/cmd`;
}

/** The entity a device feeds. */
export function deviceEntityId(entityType: string, deviceId: string): string {
  return `urn:ngsi-ld:${entityType}:${deviceId}`;
}

/** Device ids: safe in a topic level and in a URN. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
