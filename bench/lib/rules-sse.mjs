// The alerts of the server-sent event stream (GET /api/v1/events), as the cockpit receives them,
// each with its arrival time on the machine's monotonic clock (process.hrtime, in ms).
// node:http rather than fetch: a stream silent for minutes (an overloaded server) must not time out.
import { get } from 'node:http';

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Opens the event stream with the operator token and records every `alert` frame: {hr, id,
 * rule, key, status, dateIssued (epoch ms), validFrom}. Resolves once the stream is open;
 * `close()` ends it and answers the frames.
 */
export async function listenAlerts(server) {
  const frames = [];
  let malformed = 0;
  let entityFrames = 0;
  let error = null;
  let buffer = '';
  const onFrame = (text, hr) => {
    let event = 'message';
    let data = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (event === 'entity') entityFrames++;
    if (event !== 'alert') return;
    try {
      const a = JSON.parse(data);
      frames.push({
        hr,
        id: a.id,
        rule: a.rule,
        key: a.sourceKey,
        status: a.status,
        dateIssued: Date.parse(a.dateIssued),
        validFrom: Date.parse(a.validFrom),
      });
    } catch {
      malformed++;
    }
  };
  const url = `${server.url}/api/v1/events?access_token=${encodeURIComponent(server.token)}`;
  const res = await new Promise((resolve, reject) => {
    const req = get(url, { headers: { accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
  });
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`GET /api/v1/events: HTTP ${res.statusCode}`);
  }
  res.setEncoding('utf8');
  res.on('data', (chunk) => {
    const hr = hrMs();
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      onFrame(buffer.slice(0, end), hr);
      buffer = buffer.slice(end + 2);
    }
  });
  const ended = new Promise((resolve) => {
    res.on('error', (err) => {
      error = err.message;
      resolve();
    });
    res.on('close', resolve);
  });
  return {
    frames,
    /** Alerts first seen as raised so far. */
    raisedCount: () => frames.filter((f) => f.status === 'raised').length,
    async close() {
      res.destroy();
      await ended;
      return { frames, malformed, entityFrames, error };
    },
  };
}
