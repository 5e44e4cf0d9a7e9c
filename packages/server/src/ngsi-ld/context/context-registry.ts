import { createHash, randomUUID } from 'node:crypto';
import { CityError } from '../../core/index.js';
import type { DocumentCollection } from '../../store/index.js';
import { fetchContextDocument, type FetchLimits } from './context-fetch.js';
import { CORE_CONTEXT_URL, coreContextDocument, isCoreContextUrl } from './core-context.js';
import type { ContextInfo, StoredContext } from './types.js';

/** What the registry of held contexts needs. */
export interface ContextRegistryOptions {
  /** Where Hosted, Cached and ImplicitlyCreated contexts persist (default tenant's store). */
  collection: DocumentCollection<StoredContext>;
  /** Operator-provided documents by URL: never fetched, never stored. */
  preloaded?: Record<string, unknown>;
  /** May unknown http(s) URLs be fetched? (default true) */
  fetchContexts?: boolean;
  fetchLimits?: FetchLimits;
  /** The path hosted contexts are served under (default /ngsi-ld/v1/jsonldContexts). */
  hostedPath?: string;
}

const CORE_ID = 'ngsi-ld-core-context';
const HOSTED_SEGMENT = /\/jsonldContexts\/([^/?#]+)$/;

const hashId = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 24);

/** A context document must be an object with an `@context` member. */
export function checkContextDocument(doc: unknown): Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('@context' in doc))
    throw new CityError(
      'BadRequestData',
      'a JSON-LD context document must be a JSON object with an "@context" member',
    );
  return doc;
}

/**
 * The contexts the broker holds (core, preloaded, hosted, cached) and the document loader
 * behind context resolution: a remote URL is fetched at most once, then served from here.
 */
export class ContextRegistry {
  private readonly byId = new Map<string, StoredContext>();
  private readonly byUrl = new Map<string, StoredContext>();
  private readonly usage = new Map<string, { lastUsage: string; numberOfHits: number }>();
  private readonly inFlight = new Map<string, Promise<StoredContext>>();
  private loaded: Promise<void> | undefined;
  private readonly listeners: (() => void)[] = [];
  readonly hostedPath: string;

  constructor(private readonly options: ContextRegistryOptions) {
    this.hostedPath = options.hostedPath ?? '/ngsi-ld/v1/jsonldContexts';
    const now = new Date().toISOString();
    this.index({
      localId: CORE_ID,
      url: CORE_CONTEXT_URL,
      kind: 'Cached',
      createdAt: now,
      document: coreContextDocument(),
      origin: 'core',
    });
    for (const [url, doc] of Object.entries(options.preloaded ?? {}))
      this.index({
        localId: hashId(url),
        url,
        kind: 'Cached',
        createdAt: now,
        document: checkContextDocument(doc),
        origin: 'preloaded',
      });
  }

  /** Calls `listener` whenever a held context changes or goes (to drop derived caches). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The `@context` value of the document behind `url`; fetches (once) when allowed. */
  async contextOf(url: string): Promise<unknown> {
    const held = await this.find(url);
    if (held) return held.document['@context'];
    if (this.options.fetchContexts === false)
      throw new CityError(
        'LdContextNotAvailable',
        `the @context ${url} is not held by this broker and fetching remote contexts is disabled; ` +
          'an operator can register a copy with POST /ngsi-ld/v1/jsonldContexts?url=…',
      );
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.fetchAndCache(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    return (await pending).document['@context'];
  }

  /** Notes that the contexts at `urls` served a request (numberOfHits, lastUsage). */
  touch(urls: readonly string[]): void {
    const now = new Date().toISOString();
    for (const url of urls) {
      const held = this.byUrl.get(url) ?? this.hostedByUrl(url);
      if (!held) continue;
      const u = this.usage.get(held.localId);
      if (u) {
        u.lastUsage = now;
        u.numberOfHits++;
      } else this.usage.set(held.localId, { lastUsage: now, numberOfHits: 1 });
    }
  }

  /** A held context by local id or URL. */
  async find(idOrUrl: string): Promise<StoredContext | undefined> {
    await this.load();
    if (isCoreContextUrl(idOrUrl)) return this.byId.get(CORE_ID);
    return this.byId.get(idOrUrl) ?? this.byUrl.get(idOrUrl) ?? this.hostedByUrl(idOrUrl);
  }

  /** A held context with its usage. */
  info(ctx: StoredContext): ContextInfo {
    const u = this.usage.get(ctx.localId);
    return { ...ctx, numberOfHits: u?.numberOfHits ?? 0, ...(u ? { lastUsage: u.lastUsage } : {}) };
  }

  /** Every held context. */
  async list(): Promise<StoredContext[]> {
    await this.load();
    return [...this.byId.values()];
  }

  /** Stores a document a client posted (kind Hosted) and returns it. */
  async host(document: unknown): Promise<StoredContext> {
    const localId = randomUUID();
    return this.save({
      localId,
      url: `${this.hostedPath}/${localId}`,
      kind: 'Hosted',
      createdAt: new Date().toISOString(),
      document: checkContextDocument(document),
    });
  }

  /** Keeps an inline @context a request used, so a Link header can name it (ImplicitlyCreated). */
  async implicit(context: unknown): Promise<StoredContext> {
    const localId = hashId(JSON.stringify(context));
    const held = await this.find(localId);
    if (held) return held;
    return this.save({
      localId,
      url: `${this.hostedPath}/${localId}`,
      kind: 'ImplicitlyCreated',
      createdAt: new Date().toISOString(),
      document: { '@context': context },
    });
  }

  /** Registers an operator's local copy of the context at a remote `url` (kind Cached). */
  async register(url: string, document: unknown): Promise<StoredContext> {
    if (isCoreContextUrl(url))
      throw new CityError('BadRequestData', 'the NGSI-LD core context cannot be replaced');
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(url))
      throw new CityError('BadRequestData', `url must be an absolute URL, got ${url}`);
    const doc = checkContextDocument(document);
    const existing = await this.find(url);
    if (existing?.origin === 'preloaded')
      throw new CityError('BadRequestData', `${url} is preloaded by the operator's configuration`);
    return this.save({
      localId: existing?.localId ?? hashId(url),
      url,
      kind: 'Cached',
      createdAt: new Date().toISOString(),
      document: doc,
      origin: 'registered',
    });
  }

  /** Deletes a held context; `reload` re-fetches a cached one instead (clause 5.13.5). */
  async remove(idOrUrl: string, reload: boolean): Promise<void> {
    const held = await this.find(idOrUrl);
    if (!held) throw new CityError('ResourceNotFound', `no @context ${idOrUrl} is held`);
    if (held.origin === 'core')
      throw new CityError('BadRequestData', 'the NGSI-LD core context cannot be deleted');
    if (held.origin === 'preloaded')
      throw new CityError(
        'BadRequestData',
        `${held.url} is preloaded by the operator's configuration and cannot be deleted`,
      );
    if (reload) {
      if (held.kind !== 'Cached')
        throw new CityError(
          'BadRequestData',
          `reload applies to Cached contexts, not ${held.kind}`,
        );
      const doc = await fetchContextDocument(held.url, this.options.fetchLimits);
      await this.save({
        ...held,
        document: doc,
        createdAt: new Date().toISOString(),
        origin: 'fetched',
      });
      return;
    }
    await this.options.collection.delete(held.localId);
    this.byId.delete(held.localId);
    this.byUrl.delete(held.url);
    this.usage.delete(held.localId);
    this.changed();
  }

  private async fetchAndCache(url: string): Promise<StoredContext> {
    const document = await fetchContextDocument(url, this.options.fetchLimits);
    return this.save({
      localId: hashId(url),
      url,
      kind: 'Cached',
      createdAt: new Date().toISOString(),
      document,
      origin: 'fetched',
    });
  }

  private hostedByUrl(url: string): StoredContext | undefined {
    const id = HOSTED_SEGMENT.exec(url)?.[1];
    const held = id === undefined ? undefined : this.byId.get(decodeURIComponent(id));
    return held && held.kind !== 'Cached' ? held : undefined;
  }

  private async save(ctx: StoredContext): Promise<StoredContext> {
    await this.load();
    await this.options.collection.put(ctx.localId, ctx);
    this.index(ctx);
    this.changed();
    return ctx;
  }

  private index(ctx: StoredContext): void {
    this.byId.set(ctx.localId, ctx);
    if (ctx.kind === 'Cached') this.byUrl.set(ctx.url, ctx);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private load(): Promise<void> {
    this.loaded ??= this.options.collection.list().then(
      (rows) => {
        for (const { doc } of rows) if (!this.byId.has(doc.localId)) this.index(doc);
      },
      (err: unknown) => {
        this.loaded = undefined; // try again on the next request
        throw err;
      },
    );
    return this.loaded;
  }
}
