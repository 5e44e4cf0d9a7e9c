import { CityError } from '../../core/index.js';
import { ChannelError, reasonOf, type Channel, type Delivery } from './channel.js';
import { parseRetryAfter } from './retry-after.js';
import { originOf } from './target.js';
import {
  PUBLIC_NETWORKS_ONLY,
  WebhookAddressPolicy,
  type WebhookNetworkSettings,
} from './webhook-address-policy.js';
import { isAddressRefusal, WebhookGuard, type ResolveHost } from './webhook-guard.js';
import { postWebhook, webhookAgents, type WebhookAnswer } from './webhook-post.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';
import { wirePayload } from './wire-payload.js';

/** Options of the webhook channel. */
export interface WebhookChannelOptions {
  /** The clock, epoch ms (tests set it). */
  now?: () => number;
  /** Which internal addresses webhooks may reach; default none (public addresses only). */
  networks?: WebhookNetworkSettings;
  /** Resolves host names; default the system's resolver (tests stand in for DNS). */
  resolve?: ResolveHost;
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
 * Internal addresses are refused (SSRF) unless `networks` permits them: when a target is saved
 * (`validate`, a 400) and at every attempt, which connects only to the addresses checked then
 * (a refusal is dead-lettered as `address-not-allowed`).
 */
export function webhookChannel(options: WebhookChannelOptions = {}): Channel {
  const now = options.now ?? Date.now;
  const guard = new WebhookGuard(
    new WebhookAddressPolicy(options.networks ?? PUBLIC_NETWORKS_ONLY),
    options.resolve,
  );
  const agents = webhookAgents();
  return {
    async validate(target) {
      if (target.kind !== 'webhook') return;
      try {
        await guard.check(target.url);
      } catch (err) {
        throw new CityError('BadRequestData', `webhook URL refused: ${reasonOf(err)}`, {
          cause: err,
        });
      }
    },
    async send(delivery, signal) {
      const { target } = delivery;
      if (target.kind !== 'webhook')
        throw new ChannelError(`a ${target.kind} target is not a webhook`, { retryable: false });
      const body = wirePayload(delivery);
      const origin = originOf(target.url);
      let answer: WebhookAnswer;
      try {
        answer = await postWebhook(guard.parse(target.url), {
          headers: webhookHeaders(delivery, target.secret, body, now()),
          body,
          signal,
          lookup: guard.lookup,
          agents,
        });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (isAddressRefusal(err))
          throw new ChannelError(`POST ${origin} refused: ${err.message}`, {
            retryable: false,
            refusal: 'address-not-allowed',
          });
        throw new ChannelError(`POST ${origin} failed: ${reasonOf(err)}`, {
          retryable: true,
          cause: err,
        });
      }
      const { status } = answer;
      if (status >= 200 && status < 300) return;
      const retryAfterMs = parseRetryAfter(answer.retryAfter, now());
      throw new ChannelError(`${origin} answered HTTP ${status}`, {
        retryable: retryableStatus(status),
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
      return Promise.resolve();
    },
  };
}
