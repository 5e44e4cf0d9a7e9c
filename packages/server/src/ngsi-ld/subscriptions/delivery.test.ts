import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  pause,
  room,
  startReceiver,
  startSubscriptionApp,
  type Receiver,
  type SubscriptionTestApp,
} from './test-setup.js';

/** A TCP server that accepts connections and never answers: a dead endpoint. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hole`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('notification delivery', () => {
  let t: SubscriptionTestApp;
  let rx: Receiver;
  beforeEach(async () => {
    rx = await startReceiver();
    t = await startSubscriptionApp();
  });
  afterEach(async () => {
    await t.close();
    await rx.close();
  });
  const read = async (id: string) =>
    (await t.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}` })).json();

  it('retries a failing endpoint with backoff and records one successful notification', async () => {
    let calls = 0;
    rx.respond = (_req, res) => res.writeHead(++calls <= 2 ? 503 : 204).end();
    const id = await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: { endpoint: { uri: rx.url } },
    });
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    const got = await rx.waitFor(3);
    expect(new Set(got.map((r) => r.body.id)).size).toBe(1); // the same notification, resent
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(25); // waits 30 ms, then 60 ms
    expect(got[2]!.at - got[0]!.at).toBeGreaterThanOrEqual(85);
    await pause(100);
    const { notification } = await read(id);
    expect(notification).toMatchObject({ status: 'ok', timesSent: 1 });
    expect(notification.timesFailed).toBeUndefined();
    expect(notification.lastSuccess).toBeDefined();
    expect(notification.lastNotification).toBeDefined();
  });

  it('gives up after the last attempt and records the failure; a 4xx is not retried', async () => {
    rx.respond = (req, res) => res.writeHead(req.path === '/gone' ? 404 : 500).end();
    const failing = await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: { endpoint: { uri: `${rx.url}/down` } },
    });
    const gone = await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: { endpoint: { uri: `${rx.url}/gone` } },
    });
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    await rx.waitFor(5);
    await pause(300);
    expect(rx.received.filter((r) => r.path === '/down')).toHaveLength(4);
    expect(rx.received.filter((r) => r.path === '/gone')).toHaveLength(1);
    for (const id of [failing, gone]) {
      const { notification } = await read(id);
      expect(notification).toMatchObject({ status: 'failed', timesFailed: 1 });
      expect(notification.lastFailure).toBeDefined();
    }
  });

  it("abandons an attempt after the endpoint's timeout (ms) and sends nothing during cooldown", async () => {
    const hole = await blackHole();
    try {
      const slow = await t.subscribe({
        entities: [{ type: 'Room' }],
        notification: { endpoint: { uri: hole.url, timeout: 50 } },
      });
      rx.respond = (_req, res) => res.writeHead(400).end();
      await t.subscribe({
        entities: [{ type: 'Room' }],
        notification: { endpoint: { uri: rx.url, cooldown: 60_000 } },
      });
      const started = Date.now();
      await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
      for (;;) {
        const { notification } = await read(slow);
        if (notification.status === 'failed') break;
        if (Date.now() - started > 1500) throw new Error('the 50 ms timeout was not applied');
        await pause(20);
      }
      await rx.waitFor(1);
      await pause(50);
      await t.change({ id: room('b', 1).id, kind: 'created', entity: room('b', 1) });
      await pause(150);
      expect(rx.received).toHaveLength(1);
    } finally {
      await hole.close();
    }
  });

  it('never lets a dead endpoint delay another subscription', async () => {
    const hole = await blackHole();
    try {
      await t.subscribe({
        entities: [{ type: 'Room' }],
        notification: { endpoint: { uri: hole.url } },
      });
      await t.subscribe({
        entities: [{ type: 'Room' }],
        notification: { endpoint: { uri: rx.url } },
      });
      const sent = Date.now();
      for (const name of ['a', 'b', 'c', 'd', 'e'])
        await t.change({ id: room(name, 1).id, kind: 'created', entity: room(name, 1) });
      const got = await rx.waitFor(5, 1000);
      expect(got[4]!.at - sent).toBeLessThan(1000);
      expect(t.service.backlog).toBeGreaterThan(0); // the black hole's notifications still wait
    } finally {
      const stopping = Date.now();
      await t.close();
      expect(Date.now() - stopping).toBeLessThan(3500); // stop() aborts what hangs
      t = await startSubscriptionApp(); // for afterEach
      await hole.close();
    }
  });

  it('persists the delivery state and reloads subscriptions after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-sub-restart-'));
    try {
      const first = await startSubscriptionApp({ dir });
      const id = await first.subscribe({
        entities: [{ type: 'Room' }],
        notification: { endpoint: { uri: rx.url } },
      });
      await first.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
      await rx.waitFor(1);
      await first.close();
      const second = await startSubscriptionApp({ dir });
      try {
        const stored = (await second.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}` })).json();
        expect(stored.notification).toMatchObject({ status: 'ok', timesSent: 1 });
        await second.change({ id: room('b', 1).id, kind: 'created', entity: room('b', 1) });
        expect((await rx.waitFor(2))[1]!.body.subscriptionId).toBe(id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
