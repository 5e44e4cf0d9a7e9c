// The server's live heap, measured exactly: the server runs with --inspect=127.0.0.1:0 and the
// benchmark asks the V8 inspector for a full garbage collection, then for
// process.memoryUsage(). A minimal WebSocket client (RFC 6455, text frames only), so that the
// benchmark needs no package for it.
import { randomBytes } from 'node:crypto';
import { get, request } from 'node:http';

/** Node's inspector flag for the server: a free loopback port, announced on stderr. */
export const INSPECT_ARG = '--inspect=127.0.0.1:0';

const getJson = (url) =>
  new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    }).on('error', reject);
  });

function frame(text) {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x81; // FIN, text
  if (n < 126) head[1] = 0x80 | n;
  else if (n < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  const mask = randomBytes(4);
  for (let i = 0; i < n; i++) payload[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, payload]);
}

/**
 * Connects to the inspector of `server` (whose stderr announced the port). Answers
 * {liveHeap(): {heapUsedMb, rssMb, ms}, close()}, or null when no inspector was announced.
 */
export async function connectInspector(server) {
  const line = server.tail.find((l) => l.includes('Debugger listening on ws://'));
  const port = line && /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(line)?.[1];
  if (!port) return null;
  const [target] = await getJson(`http://127.0.0.1:${port}/json/list`);
  const url = new URL(target.webSocketDebuggerUrl);
  const socket = await new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (_res, s) => resolve(s));
    req.on('response', (res) => reject(new Error(`inspector: HTTP ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
  const waiting = new Map();
  /** The server's worker threads (the rules' thread), by inspector session. */
  const workers = new Set();
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      let len = buffer[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buffer.length < 4) return;
        len = buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buffer.length < 10) return;
        len = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + len) return;
      const opcode = buffer[0] & 0x0f;
      const text = buffer.subarray(offset, offset + len).toString('utf8');
      buffer = buffer.subarray(offset + len);
      if (opcode !== 1) continue;
      const msg = JSON.parse(text);
      if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
      waiting.delete(msg.id);
      if (msg.method === 'NodeWorker.attachedToWorker') workers.add(msg.params.sessionId);
      if (msg.method === 'NodeWorker.detachedFromWorker') workers.delete(msg.params.sessionId);
      if (msg.method === 'NodeWorker.receivedMessageFromWorker') {
        const inner = JSON.parse(msg.params.message);
        const key = `${msg.params.sessionId} ${inner.id}`;
        if (inner.id !== undefined) waiting.get(key)?.(inner);
        waiting.delete(key);
      }
    }
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (msg) =>
        msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result),
      );
      socket.write(frame(JSON.stringify({ id, method, params })));
    });
  /** One call in a worker thread's own session (through the main thread's inspector). */
  const workerCall = (sessionId, method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(`${sessionId} ${id}`, (msg) =>
        msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result),
      );
      const message = JSON.stringify({ id, method, params });
      call('NodeWorker.sendMessageToWorker', { sessionId, message }).catch(reject);
    });
  /** A full collection in one isolate, then its process.memoryUsage(). */
  const collected = async (invoke) => {
    await invoke('HeapProfiler.collectGarbage');
    const r = await invoke('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    return JSON.parse(r.result.value);
  };
  await call('NodeWorker.enable', { waitForDebuggerOnStart: false });
  return {
    /** One DevTools protocol call (diagnostics: a live CPU profile). */
    call,
    /**
     * A full collection in every thread, then the heap in use of them all (the main thread's
     * and the workers': the rules evaluate in one), the workers' share, the RSS (MB), and how
     * long it took.
     */
    async liveHeap() {
      const t = performance.now();
      const m = await collected(call);
      let workerHeap = 0;
      for (const session of workers)
        workerHeap += (await collected((method, p) => workerCall(session, method, p))).heapUsed;
      const mb = (bytes) => Math.round(bytes / 104857.6) / 10;
      return {
        heapUsedMb: mb(m.heapUsed + workerHeap),
        workersMb: mb(workerHeap),
        rssMb: mb(m.rss),
        ms: Math.round(performance.now() - t),
      };
    },
    /**
     * Starts the V8 CPU profiler in every worker thread (the rules' thread): `--cpu-prof` writes
     * no profile for a worker while an inspector is attached to it. Answers a function that
     * stops them and answers their profiles.
     */
    async profileWorkers() {
      const sessions = [...workers];
      for (const session of sessions) {
        await workerCall(session, 'Profiler.enable');
        await workerCall(session, 'Profiler.start');
      }
      return async () => {
        const profiles = [];
        for (const session of sessions)
          profiles.push((await workerCall(session, 'Profiler.stop')).profile);
        return profiles;
      };
    },
    close() {
      socket.destroy();
    },
  };
}
