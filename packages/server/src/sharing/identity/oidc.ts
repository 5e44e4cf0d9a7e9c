import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { CityError } from '../../core/index.js';
import type { Principal } from './principal.js';

/** An OpenID Connect issuer whose access tokens citybrain accepts. */
export interface OidcOptions {
  /** The issuer URL, exactly as in the tokens' `iss`. */
  issuer: string;
  /** The audience the tokens must name (`aud`), e.g. `citybrain`. */
  audience: string;
  /** The JWKS URL; by default the issuer's discovery document tells it. */
  jwksUri?: string;
  /** The claim naming the user's organisation (default `org`). */
  organisationClaim?: string;
  /** The claim listing the user's roles (default `roles`). */
  rolesClaim?: string;
  /** Tolerated clock skew, seconds (default 30). */
  clockToleranceSeconds?: number;
}

/** The signature algorithms accepted: asymmetric only (never `none`, never a shared secret). */
/** How long a verified token is trusted without verifying it again (never past its exp). */
const VERIFIED_CACHE_MS = 60_000;
const VERIFIED_CACHE_SIZE = 10_000;

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** True when a bearer token has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/**
 * Validates OIDC access tokens (JWTs) against the issuer's JWKS with `jose`: signature,
 * issuer, audience, expiry and not-before. Keys are fetched once and again when a token names
 * a key id not seen yet (rotation).
 */
export class OidcVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly options: OidcOptions) {}

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    let uri = this.options.jwksUri;
    if (!uri) {
      const discovery = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(discovery).catch((err: unknown) => {
        throw new CityError(
          'ServiceUnavailable',
          `the OIDC issuer is not reachable at ${discovery}`,
          {
            cause: err,
          },
        );
      });
      if (!res.ok) throw new CityError('ServiceUnavailable', `${discovery} answered ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: unknown; issuer?: unknown };
      if (doc.issuer !== this.options.issuer || typeof doc.jwks_uri !== 'string')
        throw new CityError(
          'ServiceUnavailable',
          `${discovery} does not describe the issuer ${this.options.issuer}`,
        );
      uri = doc.jwks_uri;
    }
    this.jwks = createRemoteJWKSet(new URL(uri));
    return this.jwks;
  }

  /** The token's principal; throws an `Unauthorized` CityError saying why it is refused. */
  /**
   * The token's principal. A token verified once is trusted until it expires (at most a
   * minute, by the SHA-256 of the whole token), so that a request does not verify its signature
   * again.
   */
  async verify(token: string): Promise<Principal> {
    const id = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const hit = this.verified.get(id);
    if (hit && hit.until > now) return hit.principal;
    const { principal, exp } = await this.verifyAgain(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
    this.verified.set(id, { principal, until: Math.min(exp * 1000, now + VERIFIED_CACHE_MS) });
    return principal;
  }

  private async verifyAgain(token: string): Promise<{ principal: Principal; exp: number }> {
    const jwks = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      throw new CityError('Unauthorized', `the token is not valid: ${reason(err)}`, { cause: err });
    }
    const org = payload[this.options.organisationClaim ?? 'org'];
    const roles = payload[this.options.rolesClaim ?? 'roles'];
    const principal: Principal = {
      kind: 'user',
      subject: payload.sub!,
      ...(typeof org === 'string' && { organisation: org }),
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
      via: 'oidc',
    };
    return { principal, exp: payload.exp! };
  }
}

/** Why jose refused a token, in words fit for a ProblemDetails (no token content). */
function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'it has expired';
  if (err instanceof errors.JWTClaimValidationFailed)
    return `its ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer signed it';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'its algorithm is not accepted';
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid)
    return 'it is not a well-formed JWT';
  return 'it could not be verified';
}
