import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CityError } from '../core/index.js';

/** The NGSI-LD core @context this broker answers with (GS CIM 009 v1.8). */
export const CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';

/** The response media types citybrain's NGSI-LD API can produce. */
export type NgsiMediaType = 'application/json' | 'application/ld+json';

/** Server preference order: plain JSON first, as most clients expect. */
const PRODUCED: readonly NgsiMediaType[] = ['application/json', 'application/ld+json'];

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const [type = '', subtype = ''] = range.split('/');
      const qParam = params.find((p) => p.startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { type, subtype, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type.length > 0);
}

/** The quality the client gives `candidate`: the q of the most specific matching range. */
function quality(candidate: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = candidate.split('/');
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*' && r.subtype === '*'
            ? 0
            : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
}

/** Picks the response media type from an Accept header; throws NotAcceptable (406) when none fits. */
export function negotiateMediaType(accept: string | undefined): NgsiMediaType {
  if (accept === undefined || accept.trim() === '') return 'application/json';
  const ranges = parseAccept(accept);
  let chosen: NgsiMediaType | undefined;
  let chosenQ = 0;
  for (const candidate of PRODUCED) {
    const q = quality(candidate, ranges);
    if (q > chosenQ) {
      chosen = candidate;
      chosenQ = q;
    }
  }
  if (!chosen)
    throw new CityError(
      'NotAcceptable',
      `cannot answer with ${accept}; this endpoint produces ${PRODUCED.join(' or ')}`,
    );
  return chosen;
}

/** Sends an NGSI-LD body: JSON with a Link to the core context, or JSON-LD with `@context` inline. */
export function sendNgsi(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Record<string, unknown> | Record<string, unknown>[],
): FastifyReply {
  const mediaType = negotiateMediaType(request.headers.accept);
  if (mediaType === 'application/json')
    return reply
      .type('application/json')
      .header(
        'Link',
        `<${CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`,
      )
      .send(body);
  const withContext = (o: Record<string, unknown>) => ({ ...o, '@context': CORE_CONTEXT });
  return reply
    .type('application/ld+json')
    .send(Array.isArray(body) ? body.map(withContext) : withContext(body));
}

/**
 * Accepts JSON bodies as `application/json` or `application/ld+json` only (415 otherwise).
 * Call on the plugin's own (encapsulated) instance.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    'application/ld+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
}
