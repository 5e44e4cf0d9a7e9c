import type { Database, Statement } from 'better-sqlite3';
import type { DocumentCollection } from '../port.js';
import { GroupCommit } from './group-commit.js';

/** One write to a collection, as queued for the next group. */
type Write =
  | { op: 'put'; id: string; json: string }
  | { op: 'delete'; id: string }
  /** Insert when absent (`expected` undefined), else swap when the stored document is it. */
  | { op: 'replace'; id: string; json: string; expected: string | undefined };

/**
 * A named collection of JSON documents in the shared `collections` table. Writes of one tick
 * are committed together (one transaction, one fsync: an alert, its claim and its incident are
 * written by many callers at once); each resolves once its group is durable, with its own
 * outcome (a write that fails fails alone).
 */
export class CollectionTable<T> implements DocumentCollection<T> {
  private readonly upsert: Statement<[string, string, string]>;
  private readonly select: Statement<[string, string], { doc: string }>;
  private readonly selectAll: Statement<[string], { id: string; doc: string }>;
  private readonly remove: Statement<[string, string]>;
  private readonly insertNew: Statement<[string, string, string]>;
  private readonly swap: Statement<[string, string, string, string, string]>;
  private readonly commit: GroupCommit<Write, number | Error>;

  constructor(
    db: Database,
    private readonly name: string,
  ) {
    this.upsert = db.prepare('INSERT OR REPLACE INTO collections (name, id, doc) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT doc FROM collections WHERE name = ? AND id = ?');
    this.selectAll = db.prepare('SELECT id, doc FROM collections WHERE name = ? ORDER BY id');
    this.remove = db.prepare('DELETE FROM collections WHERE name = ? AND id = ?');
    this.insertNew = db.prepare(
      'INSERT OR IGNORE INTO collections (name, id, doc) VALUES (?, ?, ?)',
    );
    // Documents are compared as text first (this table writes JSON.stringify's text, which a
    // read gives back unchanged), then as JSON values (json() normalises other spacing).
    this.swap = db.prepare(
      'UPDATE collections SET doc = ? WHERE name = ? AND id = ? AND (doc = ? OR json(doc) = json(?))',
    );
    const tx = db.transaction((writes: readonly Write[]) => writes.map((w) => this.apply(w)));
    this.commit = new GroupCommit(tx);
  }

  async put(id: string, doc: T): Promise<void> {
    await this.write({ op: 'put', id, json: JSON.stringify(doc) });
  }

  async get(id: string): Promise<T | undefined> {
    const row = this.select.get(this.name, id);
    return row && (JSON.parse(row.doc) as T);
  }

  async list(): Promise<{ id: string; doc: T }[]> {
    return this.selectAll.all(this.name).map((r) => ({ id: r.id, doc: JSON.parse(r.doc) as T }));
  }

  async delete(id: string): Promise<boolean> {
    return (await this.write({ op: 'delete', id })) > 0;
  }

  async replaceIf(id: string, doc: T, expected: T | undefined): Promise<boolean> {
    const json = JSON.stringify(doc);
    const before = expected === undefined ? undefined : JSON.stringify(expected);
    return (await this.write({ op: 'replace', id, json, expected: before })) > 0;
  }

  /** Commits the queued writes now (before the database closes). */
  flush(): void {
    this.commit.flush();
  }

  /** Queues a write for the next group; answers the rows it changed once they are durable. */
  private async write(write: Write): Promise<number> {
    const outcome = await this.commit.submit(write);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /** One write inside the group's transaction; a failure is its own, not the group's. */
  private apply(w: Write): number | Error {
    try {
      switch (w.op) {
        case 'put':
          return this.upsert.run(this.name, w.id, w.json).changes;
        case 'delete':
          return this.remove.run(this.name, w.id).changes;
        case 'replace':
          return w.expected === undefined
            ? this.insertNew.run(this.name, w.id, w.json).changes
            : this.swap.run(w.json, this.name, w.id, w.expected, w.expected).changes;
      }
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
