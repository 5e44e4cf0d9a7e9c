import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CityError } from '../core/index.js';
import type { LdContext } from './context/index.js';

/** The response media types citybrain's NGSI-LD API can produce. */
export type NgsiMediaType = 'application/json' | 'application/ld+json' | 'application/geo+json';

/** Server preference order: plain JSON first, as most clients expect. */
const JSON_TYPES: readonly NgsiMediaType[] = ['application/json', 'application/ld+json'];
const WITH_GEO: readonly NgsiMediaType[] = [...JSON_TYPES, 'application/geo+json'];

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

/**
 * Picks the response media type from an Accept header; `geo` allows application/geo+json
 * (entity retrieval and query only). Throws NotAcceptable (406) when none fits.
 */
export function negotiateMediaType(accept: string | undefined, geo = false): NgsiMediaType {
  const produced = geo ? WITH_GEO : JSON_TYPES;
  if (accept === undefined || accept.trim() === '') return 'application/json';
  const ranges = parseAccept(accept);
  let chosen: NgsiMediaType | undefined;
  let chosenQ = 0;
  for (const candidate of produced) {
    const q = quality(candidate, ranges);
    if (q > chosenQ) {
      chosen = candidate;
      chosenQ = q;
    }
  }
  if (!chosen)
    throw new CityError(
      'NotAcceptable',
      `cannot answer with ${accept}; this endpoint produces ${produced.join(' or ')}`,
    );
  return chosen;
}

type Body = Record<string, unknown> | Record<string, unknown>[];

/**
 * Sends an NGSI-LD body that is not an entity (discovery answers) with the request's
 * @context (clause 6.3.5): in a Link header for application/json, inline as `@context` for
 * application/ld+json. Entities go through render.ts.
 */
export function sendNgsi(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Body,
  ctx: LdContext,
): FastifyReply {
  const mediaType = negotiateMediaType(request.headers.accept);
  if (mediaType !== 'application/ld+json')
    return reply.type('application/json').header('Link', ctx.linkHeader).send(body);
  const withContext = (o: Record<string, unknown>) => ({ ...o, '@context': ctx.responseContext });
  return reply
    .type('application/ld+json')
    .send(Array.isArray(body) ? body.map(withContext) : withContext(body));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes application/merge-patch+json bodies (merge entity, clause 6.5.3.4). */
    mergePatch?: boolean;
  }
}

/**
 * Accepts JSON bodies as `application/json`, `application/ld+json` and (for merge)
 * `application/merge-patch+json` only (415 otherwise). Call on the plugin's own instance.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    ['application/ld+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  // Only the merge route takes merge-patch+json; everywhere else it is 415 (clause 6.3.4).
  app.addHook('preValidation', (request, _reply, done) => {
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type === 'application/merge-patch+json' && request.routeOptions.config.mergePatch !== true)
      done(
        new CityError(
          'UnsupportedMediaType',
          'application/merge-patch+json is only accepted by PATCH /entities/{id}',
        ),
      );
    else done();
  });
}
