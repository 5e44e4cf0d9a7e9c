import type { Delivery } from './channel.js';

/**
 * The JSON a webhook receives and an MQTT subscriber reads: the delivery id (the same on
 * every retry, for deduplication), the event, the texts in both languages and the event's data.
 */
export function wirePayload(delivery: Delivery): string {
  const { message, target } = delivery;
  return JSON.stringify({
    id: delivery.id,
    event: message.event,
    time: message.time,
    organisation: target.organisation,
    subject: message.subject,
    ...(message.severity && { severity: message.severity }),
    ...(message.status !== undefined && { status: message.status }),
    organisations: message.organisations,
    title: message.title,
    text: message.text,
    data: message.data,
  });
}
