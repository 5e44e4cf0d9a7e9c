import { ChannelError, reasonOf, type Channel, type Delivery } from './channel.js';
import { parseRetryAfter } from './retry-after.js';
import { originOf } from './target.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';
import { wirePayload } from './wire-payload.js';

/** Options of the webhook channel. */
export interface WebhookChannelOptions {
  /** The clock, epoch ms (tests set it). */
  now?: () => number;
}

/** True for answers worth another attempt: 408, 429 and 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The headers of one signed delivery. */
export function webhookHeaders(
  delivery: Delivery,
  secret: string,
  body: string,
  nowMs: number,
): Record<string, string> {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'citybrain-webhooks/1',
    'Citybrain-Event': delivery.message.event,
    'Citybrain-Delivery': delivery.id,
    [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(nowMs / 1000), body),
  };
}

/**
 * POSTs signed JSON to a target's URL. Redirects are not followed (a moved endpoint is the
 * owner's to fix); errors name the URL's origin only, since paths and queries may carry tokens.
 */
export function webhookChannel(options: WebhookChannelOptions = {}): Channel {
  const now = options.now ?? Date.now;
  return {
    async send(delivery, signal) {
      const { target } = delivery;
      if (target.kind !== 'webhook')
        throw new ChannelError(`a ${target.kind} target is not a webhook`, { retryable: false });
      const body = wirePayload(delivery);
      const origin = originOf(target.url);
      let response: Response;
      try {
        response = await fetch(target.url, {
          method: 'POST',
          headers: webhookHeaders(delivery, target.secret, body, now()),
          body,
          signal,
          redirect: 'manual',
        });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw new ChannelError(`POST ${origin} failed: ${reasonOf(err)}`, {
          retryable: true,
          cause: err,
        });
      }
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      throw new ChannelError(`${origin} answered HTTP ${response.status}`, {
        retryable: retryableStatus(response.status),
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      });
    },
  };
}
