import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

async function fill(store: SqliteStore, n: number): Promise<void> {
  await store.entities.write(
    Array.from({ length: n }, (_, i) => ({
      id: `urn:ngsi-ld:Thing:${i}`,
      mutate: () => ({
        id: `urn:ngsi-ld:Thing:${i}`,
        type: 'Thing',
        note: { type: 'Property', value: 'x'.repeat(200) },
      }),
    })),
  );
}

describe('checkpoints in a worker thread', () => {
  it('copies committed pages into the database file without the writer checkpointing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cb-ckpt-')), 'db.sqlite');
    const store = new SqliteStore({ file });
    const empty = size(file);
    await fill(store, 3000);
    // The commit only appended to the log…
    expect(size(`${file}-wal`)).toBeGreaterThan(500_000);
    expect(size(file)).toBe(empty);
    // … and the worker moves it into the file soon after.
    await expect.poll(() => size(file), { timeout: 5000, interval: 50 }).toBeGreaterThan(500_000);
    await store.close();
    expect(size(`${file}-wal`)).toBe(0);
  });

  it('lets a closed file be opened again and still checkpoints it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cb-ckpt-')), 'db.sqlite');
    await new SqliteStore({ file }).close();
    const store = new SqliteStore({ file });
    const before = size(file);
    await fill(store, 3000);
    await expect.poll(() => size(file), { timeout: 5000, interval: 50 }).toBeGreaterThan(before);
    expect(await store.entities.get('urn:ngsi-ld:Thing:2999')).toMatchObject({ type: 'Thing' });
    await store.close();
  });
});
