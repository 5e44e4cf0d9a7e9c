import type { Pool } from 'pg';
import type { DocumentCollection } from '../port.js';

/** A named collection of JSON documents in the shared `collections` table. */
export class PgCollection<T> implements DocumentCollection<T> {
  constructor(
    private readonly pool: Pool,
    private readonly name: string,
  ) {}

  async put(id: string, doc: T): Promise<void> {
    await this.pool.query(
      `INSERT INTO collections (name, id, doc) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (name, id) DO UPDATE SET doc = excluded.doc`,
      [this.name, id, JSON.stringify(doc)],
    );
  }

  async get(id: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ doc: T }>(
      'SELECT doc FROM collections WHERE name = $1 AND id = $2',
      [this.name, id],
    );
    return rows[0]?.doc;
  }

  async list(): Promise<{ id: string; doc: T }[]> {
    const { rows } = await this.pool.query<{ id: string; doc: T }>(
      'SELECT id, doc FROM collections WHERE name = $1 ORDER BY id',
      [this.name],
    );
    return rows;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM collections WHERE name = $1 AND id = $2',
      [this.name, id],
    );
    return (rowCount ?? 0) > 0;
  }

  async replaceIf(id: string, doc: T, expected: T | undefined): Promise<boolean> {
    const { rowCount } =
      expected === undefined
        ? await this.pool.query(
            `INSERT INTO collections (name, id, doc) VALUES ($1, $2, $3::jsonb)
             ON CONFLICT (name, id) DO NOTHING`,
            [this.name, id, JSON.stringify(doc)],
          )
        : await this.pool.query(
            `UPDATE collections SET doc = $3::jsonb
             WHERE name = $1 AND id = $2 AND doc = $4::jsonb`,
            [this.name, id, JSON.stringify(doc), JSON.stringify(expected)],
          );
    return (rowCount ?? 0) > 0;
  }
}
