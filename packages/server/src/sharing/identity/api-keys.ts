import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CityError } from '../../core/index.js';
import type { Bus, BusSubscription } from '../../bus/index.js';
import type { DocumentCollection } from '../../store/index.js';
import type { Principal } from './principal.js';

/** What is kept of an API key: never the secret, only its SHA-256. */
export interface ApiKey {
  id: string;
  name: string;
  organisation: string;
  roles: string[];
  /** Hex SHA-256 of the secret (a 256-bit random token: a fast hash is enough). */
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

/** An API key as shown to its managers. */
export type ApiKeyInfo = Omit<ApiKey, 'secretHash'>;

/** The collection API keys are kept in. */
export const API_KEYS = 'api-keys';

const PREFIX = 'cbk';
/** The bus topic of a revoked key (payload `{id}`): every node forgets it. */
export const API_KEY_REVOKED = 'api-key.revoked';
/** How long a key read from the store is trusted without reading it again. */
const CACHE_MS = 30_000;
const CACHE_SIZE = 10_000;
const KEY = /^cbk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when a bearer token has the shape of a citybrain API key. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(`${PREFIX}_`);
}

/** API keys of systems (a department's data platform, a company's app): create, check, revoke. */
export class ApiKeys {
  /** Keys read recently, by id: a request does not read the store (revocation clears them). */
  private readonly cache = new Map<string, { key: ApiKey | undefined; until: number }>();
  private subscription: BusSubscription | undefined;

  /**
   * `bus` carries revocations between nodes, so that a key revoked on one is refused by all at
   * once; without it, another node's cached key lives for at most `CACHE_MS`.
   */
  constructor(
    private readonly keys: DocumentCollection<ApiKey>,
    private readonly bus?: Bus,
  ) {}

  /** Listens for revocations made on other nodes. */
  async start(): Promise<void> {
    this.subscription = await this.bus?.subscribe({ topic: API_KEY_REVOKED }, (e) => {
      this.cache.delete((e.payload as { id: string }).id);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }

  /** Creates a key; the answer's `key` is the only time the secret is shown. */
  async create(input: {
    name: string;
    organisation: string;
    roles: string[];
  }): Promise<ApiKeyInfo & { key: string }> {
    if (!input.name.trim()) throw new CityError('BadRequestData', 'an API key needs a name');
    if (!input.organisation.trim())
      throw new CityError('BadRequestData', 'an API key acts for an organisation');
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const key: ApiKey = {
      id,
      name: input.name,
      organisation: input.organisation,
      roles: [...new Set(input.roles)],
      secretHash: sha256(secret).toString('hex'),
      createdAt: new Date().toISOString(),
    };
    if (!(await this.keys.replaceIf(id, key, undefined)))
      throw new CityError('InternalError', 'API key id collision; try again');
    return { ...info(key), key: `${PREFIX}_${id}_${secret}` };
  }

  /** The key's principal, or undefined when the token is no valid, unrevoked key. */
  async verify(token: string): Promise<Principal | undefined> {
    const match = KEY.exec(token);
    if (!match) return undefined;
    const key = await this.cached(match[1]!);
    if (!key || key.revokedAt) return undefined;
    if (!timingSafeEqual(sha256(match[2]!), Buffer.from(key.secretHash, 'hex'))) return undefined;
    return {
      kind: 'system',
      subject: `api-key:${key.id}`,
      organisation: key.organisation,
      roles: key.roles,
      via: 'api-key',
    };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.keys.list()).map(({ doc }) => info(doc));
  }

  /** Revokes a key at once, on every node; false when there is none with that id. */
  async revoke(id: string): Promise<boolean> {
    const key = await this.keys.get(id);
    if (!key) return false;
    if (!key.revokedAt) await this.keys.put(id, { ...key, revokedAt: new Date().toISOString() });
    this.cache.delete(id);
    await this.bus?.publish([
      { topic: API_KEY_REVOKED, key: id, time: Date.now(), payload: { id } },
    ]);
    return true;
  }

  private async cached(id: string): Promise<ApiKey | undefined> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.key;
    const key = await this.keys.get(id);
    if (this.cache.size >= CACHE_SIZE) this.cache.clear();
    this.cache.set(id, { key, until: now + CACHE_MS });
    return key;
  }
}

function info(key: ApiKey): ApiKeyInfo {
  return {
    id: key.id,
    name: key.name,
    organisation: key.organisation,
    roles: key.roles,
    createdAt: key.createdAt,
    ...(key.revokedAt !== undefined && { revokedAt: key.revokedAt }),
  };
}
