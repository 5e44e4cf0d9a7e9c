import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature of a webhook delivery. */
export const SIGNATURE_HEADER = 'Citybrain-Signature';

/** Hex HMAC-SHA256 of `<t>.<body>` with the target's secret. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The `Citybrain-Signature` value: `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/** A parsed signature header: the timestamp and every `v1` signature (several while rotating). */
export interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/** Parses `t=…,v1=…[,v1=…]`; undefined when it has no valid timestamp or no v1 signature. */
export function parseSignatureHeader(header: string): ParsedSignature | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/** What a receiver checks. */
export interface VerifyOptions {
  header: string | undefined;
  /** The raw request body, exactly as received. */
  body: string;
  secret: string;
  /** How old (or how far in the future) a timestamp may be, seconds; default 300. */
  toleranceSeconds?: number;
  /** Now, unix seconds; default the clock. */
  now?: number;
}

/**
 * True when the header signs this body with this secret and its timestamp is recent: the
 * check a receiver runs (constant-time comparison; replays older than the tolerance fail).
 */
export function verifySignature(options: VerifyOptions): boolean {
  const parsed = options.header ? parseSignatureHeader(options.header) : undefined;
  if (!parsed) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(options.secret, parsed.timestamp, options.body), 'hex');
  return parsed.signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
