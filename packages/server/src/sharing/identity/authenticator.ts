import { CityError } from '../../core/index.js';
import { looksLikeApiKey, type ApiKeys } from './api-keys.js';
import { looksLikeJwt, type OidcVerifier } from './oidc.js';
import { OPERATOR, type Principal } from './principal.js';

/** What a bearer token can be. */
export interface AuthenticatorOptions {
  /** Constant-time check of the node's admin token. */
  isAdminToken(token: string): boolean;
  apiKeys: ApiKeys;
  /** Accepted when OIDC is configured. */
  oidc?: OidcVerifier;
}

/**
 * Turns a bearer token into a principal: the admin token, a citybrain API key, or an OIDC
 * access token. Throws an `Unauthorized` CityError that says why, never what the token was.
 */
export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(token: string): Promise<Principal> {
    if (this.options.isAdminToken(token)) return OPERATOR;
    if (looksLikeApiKey(token)) {
      const principal = await this.options.apiKeys.verify(token);
      if (principal) return principal;
      throw new CityError('Unauthorized', 'the API key is not valid or was revoked');
    }
    if (looksLikeJwt(token)) {
      if (!this.options.oidc)
        throw new CityError(
          'Unauthorized',
          'this node accepts no OIDC tokens (auth.oidc is not set)',
        );
      return this.options.oidc.verify(token);
    }
    throw new CityError('Unauthorized', 'the token is not valid');
  }
}
