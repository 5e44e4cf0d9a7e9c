/** One server-sent event as a browser's EventSource would hand it over. */
export interface SseFrame {
  event: string;
  data: unknown;
}

/** A test's open `GET /api/v1/events` stream. */
export interface SseStream {
  /** Every frame received so far, in order. */
  frames: SseFrame[];
  /** The first frame (received or coming) that `match` accepts; rejects after `timeoutMs`. */
  next(match: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
}

/** Opens the event stream of `baseUrl` as the caller whose token is `token`. */
export async function openSse(baseUrl: string, token: string): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/events?access_token=${encodeURIComponent(token)}`, {
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`event stream answered ${res.status}`);
  const frames: SseFrame[] = [];
  const waiters = new Set<{ match: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue; // retry:, keep-alive comments
        const frame = { event, data: JSON.parse(data) as unknown };
        frames.push(frame);
        for (const w of waiters)
          if (w.match(frame)) {
            waiters.delete(w);
            w.resolve(frame);
          }
      }
    }
  })();
  return {
    frames,
    next(match, timeoutMs = 5000) {
      const seen = frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no such frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (f: SseFrame) => {
            clearTimeout(timer);
            resolve(f);
          },
        };
        waiters.add(waiter);
      });
    },
    close: () => abort.abort(),
  };
}

/** Matches a frame of `event` about the item `id`, optionally with a given change. */
export const frameOf =
  (event: string, id: string, change?: string) =>
  (f: SseFrame): boolean => {
    const data = f.data as { id?: string; change?: string };
    return f.event === event && data.id === id && (change === undefined || data.change === change);
  };
