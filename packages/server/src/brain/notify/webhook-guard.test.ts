import { describe, expect, it } from 'vitest';
import { WebhookAddressPolicy } from './webhook-address-policy.js';
import { WebhookGuard, type ResolveHost } from './webhook-guard.js';

/** DNS as a table; a name not in it does not exist. */
const dns =
  (table: Record<string, string[]>): ResolveHost =>
  (host) => {
    const addresses = table[host];
    if (!addresses)
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }),
      );
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };

const guard = new WebhookGuard(
  new WebhookAddressPolicy(),
  dns({
    'hooks.env.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'metadata.city.test': ['169.254.169.254'],
    'split.city.test': ['93.184.215.14', '10.0.0.7'],
    'empty.city.test': [],
  }),
);

describe('WebhookGuard', () => {
  it('refuses URLs that are not http(s) or that carry credentials', async () => {
    await expect(guard.check('ftp://hooks.env.example/x')).rejects.toThrow(/http or https/);
    await expect(guard.check('file:///etc/passwd')).rejects.toThrow(/http or https/);
    await expect(guard.check('https://user:pw@hooks.env.example/x')).rejects.toThrow(/credentials/);
    await expect(guard.check('https://token@hooks.env.example/x')).rejects.toThrow(/credentials/);
    await expect(guard.check('not a url')).rejects.toThrow(/not a valid URL/);
  });

  it('refuses internal IP addresses however the URL writes them', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://2130706433/', // 127.0.0.1 as one number
      'http://0x7f.0.0.1/',
      'http://127.1/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[fd00::1]/',
      'http://0.0.0.0:8088/',
    ])
      await expect(guard.check(url), url).rejects.toThrow(/webhooks go to public addresses/);
  });

  it('refuses a host name that resolves to an internal address, or to one among others', async () => {
    await expect(guard.check('https://metadata.city.test/')).rejects.toThrow(
      'metadata.city.test resolves to a link-local address',
    );
    await expect(guard.check('https://split.city.test/')).rejects.toThrow(
      /resolves to a private \(RFC 1918\) address/,
    );
    await expect(guard.check('https://nowhere.city.test/')).rejects.toThrow(
      'cannot resolve nowhere.city.test (ENOTFOUND)',
    );
    await expect(guard.check('https://empty.city.test/')).rejects.toThrow(/has no address/);
    await expect(guard.check('https://hooks.env.example/h?token=1')).resolves.toBeUndefined();
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(
      new WebhookGuard(new WebhookAddressPolicy()).check('http://localhost:8080/'),
    ).rejects.toThrow(/localhost resolves to a loopback address/);
  });

  it('gives a socket only the checked addresses, of the family it asks for', async () => {
    const lookup = (host: string, options: { all?: boolean; family?: number }) =>
      new Promise<unknown>((resolve, reject) =>
        guard.lookup(host, options, (err, address, family) =>
          err ? reject(err) : resolve(options.all ? address : { address, family }),
        ),
      );
    expect(await lookup('hooks.env.example', { all: true })).toHaveLength(2);
    expect(await lookup('hooks.env.example', { family: 6 })).toEqual({
      address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
      family: 6,
    });
    expect(await lookup('hooks.env.example', {})).toEqual({ address: '93.184.215.14', family: 4 });
    await expect(lookup('split.city.test', { all: true })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_ADDRESS_REFUSED',
    });
  });
});
