import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { MemoryBus } from '../../../bus/memory/index.js';
import type { Entity } from '../../../core/index.js';
import { SqliteStore } from '../../../store/sqlite/index.js';
import type { Sleep } from '../retry-policy.js';

/** One request a test receiver got. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer a test receiver gives: status and headers; status 0 never answers. */
export type ReceiverAnswer = { status: number; headers?: Record<string, string> };

/** A local HTTP server standing in for a webhook receiver. */
export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** How the next requests are answered, in turn; the last answer repeats. */
  answers: ReceiverAnswer[];
  close(): Promise<void>;
}

/** Starts a webhook receiver on a free loopback port; it answers 204 until told otherwise. */
export async function startReceiver(): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver: TestReceiver = {
    url: '',
    requests,
    answers: [{ status: 204 }],
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = receiver.answers.length > 1 ? receiver.answers.shift()! : receiver.answers[0]!;
      if (answer.status !== 0) res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/citybrain?token=abc`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** A SQLite store in a fresh temp dir, removed by `close`. */
export function openTestStore(): { store: SqliteStore; close: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'cb-notify-'));
  const store = new SqliteStore({ file: join(dir, 'db.sqlite') });
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A bus that fails the test run loudly when a handler throws. */
export function testBus(): MemoryBus {
  return new MemoryBus((err) => {
    throw err;
  });
}

/** A logger whose lines are kept, to check what is (never) logged. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A sleep that does not wait but records what it was asked to wait. */
export function recordingSleep(): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  return { sleep: (ms) => (delays.push(ms), Promise.resolve()), delays };
}

/** Waits until `check` holds (polling every 10 ms), or fails after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An Alert entity as the alert service publishes it (normalized), for `organisation`. */
export function alertEntity(
  organisation: string,
  severity = 'high',
  id = 'urn:ngsi-ld:Alert:pm25-high:xihu-1:1',
): Entity {
  const prop = (value: unknown) => ({ type: 'Property' as const, value });
  return {
    id,
    type: 'Alert',
    category: prop('environment'),
    subCategory: prop('airPollution'),
    severity: prop(severity),
    status: prop('raised'),
    description: prop('PM2.5 > 75 µg/m³ for 3 min at Xihu station (now 160 µg/m³)'),
    descriptionZh: prop('西湖区监测站 PM2.5 持续 3 分钟 > 75 µg/m³（当前 160 µg/m³）'),
    areaServed: prop('xihu'),
    responsibleOrganisation: prop(organisation),
    escalationLevel: prop(1),
  };
}
