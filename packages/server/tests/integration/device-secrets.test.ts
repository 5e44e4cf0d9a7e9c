import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { api, startCitybrain } from '../helpers/start-server.js';

const SECRET = 'pole-7-secret-0123456789';

/** The secret hash a device has in the node's SQLite file, read as an operator would. */
function storedHash(dataDir: string, id: string, set?: string): string {
  const db = new Database(join(dataDir, 'citybrain.db'));
  try {
    if (set !== undefined)
      db.prepare('UPDATE devices SET secret_hash = ? WHERE id = ?').run(set, id);
    const row = db.prepare('SELECT secret_hash FROM devices WHERE id = ?').get(id) as
      { secret_hash: string } | undefined;
    return row!.secret_hash;
  } finally {
    db.close();
  }
}

describe('device secrets across an upgrade', () => {
  it('keeps devices of an older version (SHA-256) logging in, and re-hashes them with scrypt', async () => {
    let server = await startCitybrain();
    const { dataDir, token } = server;
    const reg = await api(server, '/api/v1/devices', {
      method: 'POST',
      json: { id: 'pole-7', entityType: 'Streetlight', secret: SECRET },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.secret).toBe(SECRET);
    expect(storedHash(dataDir, 'pole-7')).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await server.stop()).toBe(0);

    // The data as an older version left it: an unsalted SHA-256 of the secret.
    const legacy = createHash('sha256').update(SECRET).digest('hex');
    storedHash(dataDir, 'pole-7', legacy);
    server = await startCitybrain({ dataDir, token });
    try {
      const refused = await connectAsync(server.mqttUrl, {
        username: 'pole-7',
        password: 'not-the-secret-0000',
        reconnectPeriod: 0,
      }).then(
        () => undefined,
        (err: { code?: number }) => err.code,
      );
      expect(refused).toBe(4);
      expect(storedHash(dataDir, 'pole-7')).toBe(legacy);

      const device = await connectAsync(server.mqttUrl, {
        username: 'pole-7',
        password: SECRET,
        reconnectPeriod: 0,
      });
      await device.publishAsync('citybrain/v1/devices/pole-7/attrs', '{"powerState": "on"}', {
        qos: 1,
      });
      await device.endAsync();
      expect(storedHash(dataDir, 'pole-7')).toMatch(/^scrypt\$16384\$8\$1\$/);

      // HTTP ingest checks the same secret against the new hash.
      const sent = await fetch(`${server.url}/api/v1/ingest/pole-7`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: '{"powerState": "off"}',
      });
      expect(sent.status).toBe(200);
      const wrong = await fetch(`${server.url}/api/v1/ingest/pole-7`, {
        method: 'POST',
        headers: { authorization: `Bearer ${legacy}`, 'content-type': 'application/json' },
        body: '{"powerState": "on"}',
      });
      expect(wrong.status).toBe(401);
      const entity = await api(server, '/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:pole-7');
      expect(entity.body.powerState.value).toBe('off');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
