import { CityError } from '../../core/index.js';

/** Limits for fetching a remote @context. */
export interface FetchLimits {
  /** Milliseconds before the fetch is abandoned (default 5000). */
  timeoutMs?: number;
  /** Largest accepted document in bytes (default 1 MiB). */
  maxBytes?: number;
}

const unavailable = (url: string, why: string, cause?: unknown): CityError =>
  new CityError('LdContextNotAvailable', `the @context ${url} cannot be retrieved: ${why}`, {
    cause,
  });

async function readLimited(response: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw unavailable(url, `it is larger than ${maxBytes} bytes`);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw unavailable(url, `it is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Fetches a remote JSON-LD context document (an object with `@context`) over http(s);
 * any failure is LdContextNotAvailable (503).
 */
export async function fetchContextDocument(
  url: string,
  limits: FetchLimits = {},
): Promise<Record<string, unknown>> {
  if (!/^https?:\/\//i.test(url)) throw unavailable(url, 'only http(s) URLs can be fetched');
  let text: string;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/ld+json, application/json;q=0.9, */*;q=0.1' },
      redirect: 'follow',
      signal: AbortSignal.timeout(limits.timeoutMs ?? 5000),
    });
    if (!response.ok) throw unavailable(url, `the server answered ${response.status}`);
    text = await readLimited(response, url, limits.maxBytes ?? 1024 * 1024);
  } catch (err) {
    if (err instanceof CityError) throw err;
    throw unavailable(url, err instanceof Error ? err.message : String(err), err);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw unavailable(url, 'it is not JSON', err);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('@context' in doc))
    throw unavailable(url, 'it is not a JSON-LD document with an "@context" member');
  return doc;
}
