import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** How often the worker checkpoints each registered database (milliseconds). */
const INTERVAL_MS = 250;
/** The log size (pages) past which the writer checkpoints itself (SQLite's default: 1000). */
const BACKSTOP_PAGES = 4000;

/**
 * The worker's code (CommonJS, evaluated): one connection per registered file, a PASSIVE
 * checkpoint of each every interval; `remove` closes the connection, then acknowledges.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const dbs = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'add') {
    try {
      const db = new Database(m.file, { fileMustExist: true });
      db.pragma('busy_timeout = 0');
      dbs.set(m.file, db);
    } catch {}
  } else if (m.op === 'remove') {
    const db = dbs.get(m.file);
    dbs.delete(m.file);
    try { db?.close(); } catch {}
    parentPort.postMessage({ op: 'removed', ticket: m.ticket });
  }
});
setInterval(() => {
  for (const db of dbs.values()) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  }
}, workerData.interval);
`;

let worker: Worker | undefined;
let tickets = 0;
const waiting = new Map<number, () => void>();
/** Connections whose checkpoints the worker took over, by file. */
const registered = new Map<string, Database>();

/** Gives checkpoints back to the connections themselves (the worker is gone). */
function fallBack(): void {
  worker = undefined;
  for (const db of registered.values()) if (db.open) db.pragma('wal_autocheckpoint = 1000');
  registered.clear();
  for (const done of waiting.values()) done();
  waiting.clear();
}

function start(): Worker {
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
      interval: INTERVAL_MS,
    },
  });
  w.unref();
  w.on('message', (m: { op: string; ticket: number }) => {
    const done = waiting.get(m.ticket);
    waiting.delete(m.ticket);
    if (waiting.size === 0) w.unref();
    done?.();
  });
  w.on('error', fallBack);
  w.on('exit', fallBack);
  return w;
}

/**
 * Moves a WAL database's checkpoints off its connection (so a commit rarely pays for one) to
 * one worker thread shared by the whole process, which checkpoints every registered file
 * (PASSIVE: it never blocks writers) a few times a second with its own connection.
 */
export function offloadCheckpoints(db: Database, file: string): void {
  if (registered.has(file)) return;
  worker ??= start();
  registered.set(file, db);
  // A backstop: under a steady stream of commits the worker's checkpoints never quite catch
  // up with the log's end, and only a complete one lets the next commit restart the log, so
  // the writer still finishes one itself (copying the few pages the worker has not) past
  // BACKSTOP_PAGES.
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  worker.postMessage({ op: 'add', file });
}

/** Stops checkpointing `file` in the worker; resolves once its connection there is closed. */
export function stopCheckpoints(file: string): Promise<void> {
  const db = registered.get(file);
  registered.delete(file);
  if (!worker || !db) return Promise.resolve();
  if (db.open) db.pragma('wal_autocheckpoint = 1000');
  const ticket = ++tickets;
  const w = worker;
  return new Promise((resolve) => {
    waiting.set(ticket, resolve);
    // Keep the process alive until the worker let go of the file (close awaits it).
    w.ref();
    w.postMessage({ op: 'remove', file, ticket });
  });
}
