export {
  API_KEY_REVOKED,
  API_KEYS,
  ApiKeys,
  looksLikeApiKey,
  type ApiKey,
  type ApiKeyInfo,
} from './api-keys.js';
export { Authenticator, type AuthenticatorOptions } from './authenticator.js';
export { looksLikeJwt, OidcVerifier, type OidcOptions } from './oidc.js';
export { OPERATOR, PUBLIC_READER, type Principal } from './principal.js';
