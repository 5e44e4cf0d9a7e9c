import type { CommandChange, CommandKind } from './command/command-model.js';
import type { Alert, EntityEvent } from './model.js';

/** State of the live connection, shown in the header. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** Options of the live event stream. */
export interface EventStreamOptions {
  token: string;
  /** The purpose the stream's reads are made for (sent as `purpose=`). */
  purpose?: string;
  baseUrl?: string;
  onEntity: (event: EntityEvent) => void;
  onAlert: (alert: Alert) => void;
  /** An incident or task the user takes part in changed (id, status, version: read it again). */
  onCommand?: (kind: CommandKind, change: CommandChange) => void;
  onState: (state: ConnectionState) => void;
  /** Called after a dropped stream is open again: events may have been missed meanwhile. */
  onReconnected: () => void;
  /** Called when the stream closed for good (e.g. a refused token) before retrying. */
  onClosed?(): void;
}

/** A running event stream. */
export interface EventStream {
  close(): void;
}

const MAX_BACKOFF_MS = 15_000;

function parse<T>(e: Event): T | undefined {
  try {
    return JSON.parse((e as MessageEvent<string>).data) as T;
  } catch {
    return undefined; // a malformed frame is skipped; the next one carries the full entity again
  }
}

/** Opens `/api/v1/events` and keeps it open, reconnecting with backoff when the server drops it. */
export function openEventStream(opts: EventStreamOptions): EventStream {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let everOpen = false;
  let closed = false;

  const connect = (): void => {
    const q = new URLSearchParams({ access_token: opts.token });
    if (opts.purpose !== undefined) q.set('purpose', opts.purpose);
    const es = new EventSource(`${opts.baseUrl ?? ''}/api/v1/events?${q}`);
    source = es;
    es.addEventListener('open', () => {
      attempt = 0;
      opts.onState('live');
      if (everOpen) opts.onReconnected();
      everOpen = true;
    });
    es.addEventListener('entity', (e) => {
      const data = parse<EntityEvent>(e);
      if (data) opts.onEntity(data);
    });
    es.addEventListener('alert', (e) => {
      const data = parse<Alert>(e);
      if (data) opts.onAlert(data);
    });
    for (const kind of ['incident', 'task'] as const)
      es.addEventListener(kind, (e) => {
        const data = parse<CommandChange>(e);
        if (data) opts.onCommand?.(kind, data);
      });
    es.addEventListener('error', () => {
      if (closed) return;
      opts.onState(everOpen ? 'reconnecting' : 'connecting');
      // CONNECTING: the browser retries by itself. CLOSED: an HTTP error, we retry ourselves.
      if (es.readyState !== EventSource.CLOSED) return;
      es.close();
      opts.onClosed?.();
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++);
      timer = setTimeout(connect, delay);
    });
  };

  opts.onState('connecting');
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
