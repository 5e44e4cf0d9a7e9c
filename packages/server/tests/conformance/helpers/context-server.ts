import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny HTTP server serving user @context documents and counting fetches. */
export interface ContextServer {
  /** Base URL, e.g. http://127.0.0.1:1234 */
  url: string;
  /** Serves `document` at `path` (e.g. '/ctx.jsonld'); returns its full URL. */
  serve(path: string, document: unknown): string;
  /** Makes `path` answer with `status` and no document. */
  fail(path: string, status: number): string;
  /** How many GETs `path` received. */
  fetches(path: string): number;
  close(): Promise<void>;
}

/** Starts the @context server on 127.0.0.1 and a free port. */
export async function startContextServer(): Promise<ContextServer> {
  const documents = new Map<string, { status: number; body?: string }>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const doc = documents.get(path);
    if (doc === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.statusCode = doc.status;
    if (doc.body !== undefined) res.setHeader('content-type', 'application/ld+json');
    res.end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    serve(path, document) {
      documents.set(path, { status: 200, body: JSON.stringify(document) });
      return url + path;
    },
    fail(path, status) {
      documents.set(path, { status });
      return url + path;
    },
    fetches: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
