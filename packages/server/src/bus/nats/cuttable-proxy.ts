import { createServer, connect, type Socket } from 'node:net';

/** A loopback TCP relay to a server, whose connections a test can cut at once. */
export interface CuttableProxy {
  /** `nats://127.0.0.1:<port>` (the scheme of `target`, the proxy's port). */
  url: string;
  /**
   * Drops every relayed connection and refuses new ones: to the server, the client is gone
   * mid-work as when its process dies; the client cannot reconnect.
   */
  cut(): Promise<void>;
  /** Drops every relayed connection but keeps accepting: a network blip the client survives. */
  blip(): void;
}

/** Starts a relay to `target` (a URL) on a free loopback port; used by tests to fake a crash. */
export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const { protocol, hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: hostname, port: Number(port) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy port');
  return {
    url: `${protocol}//127.0.0.1:${address.port}`,
    blip() {
      for (const s of sockets) s.destroy();
    },
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
