import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './broker.js';

/** One notification request as the receiver got it. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when not JSON). */
  body: any;
  at: number;
}

/** An HTTP endpoint that records what the broker POSTs to it. */
export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:1234 ; any path under it is accepted. */
  url: string;
  received: Received[];
  /** Status the receiver answers with for the n-th request (0-based); default 200. */
  respond: (n: number) => number;
  /** Requests whose path equals `path` (default: all). */
  at(path?: string): Received[];
  /** Waits until at least `count` requests matched `filter`; returns them (possibly fewer). */
  waitFor(
    count: number,
    filter?: (r: Received) => boolean,
    timeoutMs?: number,
  ): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a notification receiver on 127.0.0.1 and a free port. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let n = 0;
  const receiver: Receiver = {
    url: '',
    received,
    respond: () => 200,
    at: (path) => (path === undefined ? received : received.filter((r) => r.path === path)),
    async waitFor(count, filter = () => true, timeoutMs = 2000) {
      await waitFor(() => received.filter(filter).length >= count, timeoutMs);
      return received.filter(filter);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const status = receiver.respond(n);
      n += 1;
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
