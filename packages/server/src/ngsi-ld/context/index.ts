// PLACEHOLDER (lead): core-only identity context so that other parts can be tested; the
// context owner replaces this file with the real resolver (Link header, body @context, cache).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Entity } from '../../core/index.js';
import type { NgsiLdOptions } from '../ngsi-ld-options.js';
import type { LdContext } from './types.js';

export type { ContextResolver, LdContext } from './types.js';

/** The URL of the NGSI-LD core context. */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';

const core: LdContext = {
  coreOnly: true,
  responseContext: CORE_CONTEXT_URL,
  linkHeader: `<${CORE_CONTEXT_URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`,
  expand: (term) => term,
  compact: (name) => name,
};

/** Installs @context handling on the plugin (resolver, /jsonldContexts routes). */
export function installContextHandling(_app: FastifyInstance, _options: NgsiLdOptions): void {}

/** The @context of a request: from its Link header or its body's `@context`. */
export async function requestContext(_request: FastifyRequest): Promise<LdContext> {
  return core;
}

/** An entity as a client wrote it → canonical names. */
export function expandEntity(
  raw: Record<string, unknown>,
  _ctx: LdContext,
): Record<string, unknown> {
  const { '@context': _drop, ...rest } = raw;
  return rest;
}

/** A canonical entity → the client's names. */
export function compactEntity(entity: Entity, _ctx: LdContext): Record<string, unknown> {
  return { ...entity };
}
