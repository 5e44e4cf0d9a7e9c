import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

/** A local OpenID Connect issuer for tests: discovery, a JWKS, and tokens signed on demand. */
export interface TestIssuer {
  /** The issuer URL (`iss`). */
  url: string;
  /** A token signed by the issuer's key, for `citybrain`, valid for an hour unless `claims` say otherwise. */
  token(claims?: JWTPayload, options?: { kid?: string; alg?: string }): Promise<string>;
  /** A token of the same shape signed by a key the issuer never published. */
  forged(claims?: JWTPayload): Promise<string>;
  /** How often the JWKS was fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
}

const ALG = 'ES256';

export async function startTestIssuer(audience = 'citybrain'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(ALG);
  const stranger = await generateKeyPair(ALG);
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: ALG, use: 'sig' };
  let fetches = 0;
  let url = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      return res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    if (req.url === '/jwks') {
      fetches++;
      return res.end(JSON.stringify({ keys: [jwk] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (key: Parameters<SignJWT['sign']>[0], claims: JWTPayload, kid: string, alg = ALG) =>
    new SignJWT({ sub: 'user-1', ...claims })
      .setProtectedHeader({ alg, kid })
      .setIssuer(claims.iss ?? url)
      .setAudience(claims.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '1h')
      .sign(key);
  return {
    url,
    token: (claims = {}, options = {}) =>
      sign(privateKey, claims, options.kid ?? 'key-1', options.alg ?? ALG),
    forged: (claims = {}) => sign(stranger.privateKey, claims, 'key-1'),
    jwksFetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
