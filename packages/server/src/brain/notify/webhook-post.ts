import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** What a receiver answered. */
export interface WebhookAnswer {
  status: number;
  retryAfter: string | undefined;
}

/** Keep-alive connection pools, one per scheme. */
export interface WebhookAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Connection pools for webhook deliveries; `destroy` them when done. */
export function webhookAgents(): WebhookAgents {
  return { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
}

/** The most of an answer's body read (and thrown away) before its connection is dropped. */
const MAX_DRAINED_BYTES = 64 * 1024;
/** How long an answer's body may take to end before its connection is dropped. */
const DRAIN_MS = 5_000;

/** Reads the rest of an answer away so that its connection can serve the next delivery. */
function drain(response: IncomingMessage): void {
  let bytes = 0;
  const timer = setTimeout(() => response.destroy(), DRAIN_MS).unref();
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_DRAINED_BYTES) response.destroy();
  });
  response.on('close', () => clearTimeout(timer));
  response.on('error', () => undefined); // a dropped answer body concerns nobody
}

/**
 * POSTs a body and resolves with the status once the answer's headers arrived. The socket
 * connects through `lookup` (for host names), redirects are not followed, and `signal`
 * aborts the request.
 */
export function postWebhook(
  url: URL,
  options: {
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
    lookup: LookupFunction;
    agents: WebhookAgents;
  },
): Promise<WebhookAnswer> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { ...options.headers, 'Content-Length': Buffer.byteLength(options.body) },
        lookup: options.lookup,
        signal: options.signal,
        agent: https ? options.agents.https : options.agents.http,
      },
      (response) => {
        drain(response);
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, retryAfter });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
