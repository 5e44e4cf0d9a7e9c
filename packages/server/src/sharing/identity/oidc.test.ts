import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityError } from '../../core/index.js';
import { OidcVerifier } from './oidc.js';
import { startTestIssuer, type TestIssuer } from './testing/oidc-issuer.js';

describe('OidcVerifier against a local issuer', () => {
  let issuer: TestIssuer;
  let verifier: OidcVerifier;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    verifier = new OidcVerifier({ issuer: issuer.url, audience: 'citybrain' });
  });
  afterAll(() => issuer.close());

  const refusal = async (token: string) => {
    const err = await verifier.verify(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CityError);
    expect((err as CityError).code).toBe('Unauthorized');
    return (err as CityError).message;
  };

  it('accepts a token of the issuer and reads its organisation and roles', async () => {
    const token = await issuer.token({
      sub: 'li.wei',
      org: 'health-commission',
      roles: ['owner', 7],
    });
    expect(await verifier.verify(token)).toEqual({
      kind: 'user',
      subject: 'li.wei',
      organisation: 'health-commission',
      roles: ['owner'],
      via: 'oidc',
    });
    // Keys come from the discovery document's jwks_uri, fetched once.
    await verifier.verify(await issuer.token());
    expect(issuer.jwksFetches()).toBe(1);
  });

  it('refuses expired, foreign, misaddressed and forged tokens, saying why', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect(await refusal(await issuer.token({ exp: hourAgo }))).toContain('expired');
    expect(await refusal(await issuer.token({ aud: 'another-app' }))).toContain('aud');
    expect(await refusal(await issuer.token({ iss: 'https://evil.example' }))).toContain('iss');
    expect(await refusal(await issuer.forged())).toContain('signature does not verify');
    expect(await refusal(await issuer.token({}, { kid: 'unknown' }))).toContain('no key');
    expect(await refusal('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toContain('not');
  });

  it('refuses a token signed with a shared secret (HS256) or no algorithm', async () => {
    const { SignJWT } = await import('jose');
    const hs = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setIssuer(issuer.url)
      .setAudience('citybrain')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('0123456789abcdef0123456789abcdef'));
    expect(await refusal(hs)).toContain('algorithm');
  });

  it('says when the issuer cannot be reached', async () => {
    const lost = new OidcVerifier({ issuer: 'http://127.0.0.1:9', audience: 'citybrain' });
    const err = await lost.verify(await issuer.token()).catch((e: unknown) => e);
    expect((err as CityError).code).toBe('ServiceUnavailable');
  });
});
