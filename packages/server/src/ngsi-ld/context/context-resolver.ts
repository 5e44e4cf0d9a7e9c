import jsonld from 'jsonld';
import { CityError } from '../../core/index.js';
import type { ContextRegistry } from './context-registry.js';
import { CORE_CONTEXT, CORE_CONTEXT_URL, isCoreContextUrl } from './core-context.js';
import { makeLdContext, termTables, type ActiveContext, type TermTables } from './ld-context.js';
import type { ContextResolver, LdContext } from './types.js';

/** The `rel` of a Link header that names a JSON-LD context. */
export const JSONLD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

/** The Link header value naming `url` as the JSON-LD context. */
export function contextLink(url: string): string {
  return `<${url}>; rel="${JSONLD_CONTEXT_REL}"; type="application/ld+json"`;
}

const MAX_DEPTH = 10;

interface Entry {
  ctx: LdContext;
  /** The context URLs it was built from (for usage statistics). */
  urls: string[];
}

/** A JSON-LD context entry after URLs are replaced by the documents behind them. */
type Inlined = Record<string, unknown> | null;

/** What a context resolver needs. */
export interface ResolverOptions {
  registry: ContextRegistry;
  /** Distinct @context values kept resolved (default 1000). */
  cacheSize?: number;
}

/** jsonld.processContext, which @types/jsonld leaves out. */
interface ContextProcessor {
  processContext(
    active: unknown,
    local: unknown,
    options: { documentLoader?: (url: string) => Promise<unknown> },
  ): Promise<unknown>;
}
const processor = jsonld as unknown as ContextProcessor;

async function processContext(items: Inlined[], registry: ContextRegistry): Promise<ActiveContext> {
  const documentLoader = async (url: string) => ({
    contextUrl: undefined,
    documentUrl: url,
    document: { '@context': await registry.contextOf(url) },
  });
  try {
    // processContext(_, null) yields jsonld's initial (empty) active context.
    const initial = await processor.processContext(null, null, {});
    return (await processor.processContext(initial, [...items, CORE_CONTEXT], {
      documentLoader,
    })) as ActiveContext;
  } catch (err) {
    const cause = (err as { details?: { cause?: unknown } }).details?.cause;
    if (cause instanceof CityError) throw cause;
    if (err instanceof CityError) throw err;
    throw new CityError(
      'BadRequestData',
      `invalid @context: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * Resolves @context values (a URL, an inline object, or a list of them) to LdContexts: the
 * core context applied last, remote documents loaded through the registry, and each distinct
 * value resolved once (LRU), so the hot path is one Map lookup.
 */
export class LdContextResolver implements ContextResolver {
  private readonly cache = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<Entry>>();
  private readonly cacheSize: number;
  private core: TermTables | undefined;
  private coreCtx: LdContext | undefined;

  constructor(private readonly options: ResolverOptions) {
    this.cacheSize = options.cacheSize ?? 1000;
    options.registry.onChange(() => this.cache.clear());
  }

  /** The core-only context (no user context). */
  async coreContext(): Promise<LdContext> {
    return this.resolve(undefined);
  }

  async resolve(context: unknown): Promise<LdContext> {
    const key =
      context === undefined || context === null
        ? ''
        : typeof context === 'string'
          ? context
          : JSON.stringify(context);
    const hit = this.cache.get(key);
    if (hit) {
      // Refresh the LRU position.
      this.cache.delete(key);
      this.cache.set(key, hit);
      if (hit.urls.length > 0) this.options.registry.touch(hit.urls);
      return hit.ctx;
    }
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(context).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    const entry = await pending;
    this.cache.set(key, entry);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    if (entry.urls.length > 0) this.options.registry.touch(entry.urls);
    return entry.ctx;
  }

  /** Validates a @context value (loading what it names) without keeping anything. */
  async check(context: unknown): Promise<void> {
    const items = await this.inline(context, [], 0, new Set());
    await processContext(items, this.options.registry);
  }

  private async coreTables(): Promise<TermTables> {
    this.core ??= termTables(await processContext([], this.options.registry));
    return this.core;
  }

  private async build(context: unknown): Promise<Entry> {
    const core = await this.coreTables();
    const urls: string[] = [];
    const items = await this.inline(context, urls, 0, new Set());
    if (items.length === 0) {
      this.coreCtx ??= makeLdContext({
        tables: core,
        core,
        coreOnly: true,
        responseContext: CORE_CONTEXT_URL,
        linkHeader: contextLink(CORE_CONTEXT_URL),
      });
      return { ctx: this.coreCtx, urls };
    }
    const tables = termTables(await processContext(items, this.options.registry));
    const link =
      typeof context === 'string' ? context : (await this.options.registry.implicit(context)).url;
    return {
      ctx: makeLdContext({
        tables,
        core,
        coreOnly: false,
        responseContext: context as LdContext['responseContext'],
        linkHeader: contextLink(link),
      }),
      urls,
    };
  }

  /** Replaces every URL (except the core's) by the context of the document behind it. */
  private async inline(
    context: unknown,
    urls: string[],
    depth: number,
    seen: Set<string>,
  ): Promise<Inlined[]> {
    if (context === undefined) return [];
    if (depth > MAX_DEPTH)
      throw new CityError('BadRequestData', `@context nests more than ${MAX_DEPTH} levels`);
    if (Array.isArray(context)) {
      const out: Inlined[] = [];
      for (const c of context) out.push(...(await this.inline(c, urls, depth + 1, seen)));
      return out;
    }
    if (typeof context === 'string') {
      if (isCoreContextUrl(context)) return [];
      if (seen.has(context))
        throw new CityError('BadRequestData', `@context ${context} includes itself`);
      urls.push(context);
      const inner = await this.options.registry.contextOf(context);
      return this.inline(inner, urls, depth + 1, new Set(seen).add(context));
    }
    if (context === null) return [null];
    if (typeof context === 'object') return [context as Record<string, unknown>];
    throw new CityError('BadRequestData', '@context must be a URL, an object or a list of them');
  }
}
