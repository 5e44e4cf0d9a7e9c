import type { Database, Statement } from 'better-sqlite3';
import type { SeriesPoint } from '../../core/index.js';
import type { SeriesQuery, SeriesStore } from '../port.js';

interface PointRow {
  name: string;
  t: number;
  num: number | null;
  json: string | null;
}

/** Attribute time series keyed by dictionary-encoded (entity, attribute, time). */
export class SeriesTable implements SeriesStore {
  private readonly entityIds = new Map<string, number>();
  private readonly attrIds = new Map<string, number>();
  private readonly insertPoint: Statement;
  private readonly insertEntity: Statement;
  private readonly insertAttr: Statement;
  private readonly selectEntity: Statement<[string], { eid: number }>;
  private readonly selectAttr: Statement<[string], { aid: number }>;

  constructor(private readonly db: Database) {
    // A repeated (entity, attribute, time) replaces the point: a resent message is idempotent.
    this.insertPoint = db.prepare(
      'INSERT OR REPLACE INTO series (eid, aid, t, num, json) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertEntity = db.prepare('INSERT INTO series_entities (id) VALUES (?)');
    this.insertAttr = db.prepare('INSERT INTO series_attrs (name) VALUES (?)');
    this.selectEntity = db.prepare('SELECT eid FROM series_entities WHERE id = ?');
    this.selectAttr = db.prepare('SELECT aid FROM series_attrs WHERE name = ?');
  }

  private entityId(id: string, create: boolean): number | undefined {
    let eid = this.entityIds.get(id);
    if (eid !== undefined) return eid;
    eid = this.selectEntity.get(id)?.eid;
    if (eid === undefined && create) eid = Number(this.insertEntity.run(id).lastInsertRowid);
    if (eid !== undefined) this.entityIds.set(id, eid);
    return eid;
  }

  private attrId(name: string, create: boolean): number | undefined {
    let aid = this.attrIds.get(name);
    if (aid !== undefined) return aid;
    aid = this.selectAttr.get(name)?.aid;
    if (aid === undefined && create) aid = Number(this.insertAttr.run(name).lastInsertRowid);
    if (aid !== undefined) this.attrIds.set(name, aid);
    return aid;
  }

  /** Appends one point; call inside the ingest transaction. */
  appendSync(entityId: string, attr: string, t: number, value: unknown): void {
    const num = typeof value === 'number' ? value : null;
    const json = num === null ? JSON.stringify(value) : null;
    this.insertPoint.run(this.entityId(entityId, true), this.attrId(attr, true), t, num, json);
  }

  /** Forgets cached ids (after a rolled-back transaction may have created some). */
  resetCache(): void {
    this.entityIds.clear();
    this.attrIds.clear();
  }

  async read(query: SeriesQuery): Promise<SeriesPoint[]> {
    const eid = this.entityId(query.entityId, false);
    if (eid === undefined) return [];
    const attrs =
      query.attrs ??
      (
        this.db
          .prepare(
            'SELECT DISTINCT a.name FROM series s JOIN series_attrs a ON a.aid = s.aid WHERE s.eid = ?',
          )
          .all(eid) as { name: string }[]
      ).map((r) => r.name);
    const points: SeriesPoint[] = [];
    for (const name of attrs.sort()) {
      const aid = this.attrId(name, false);
      if (aid === undefined) continue;
      const from = query.from ?? Number.MIN_SAFE_INTEGER;
      const to = query.to ?? Number.MAX_SAFE_INTEGER;
      const rows = query.lastN
        ? this.db
            .prepare<unknown[], PointRow>(
              `SELECT ? AS name, t, num, json FROM series WHERE eid = ? AND aid = ? AND t >= ? AND t < ?
               ORDER BY t DESC LIMIT ?`,
            )
            .all(name, eid, aid, from, to, query.lastN)
            .reverse()
        : this.db
            .prepare<unknown[], PointRow>(
              `SELECT ? AS name, t, num, json FROM series WHERE eid = ? AND aid = ? AND t >= ? AND t < ?
               ORDER BY t`,
            )
            .all(name, eid, aid, from, to);
      for (const r of rows)
        points.push({
          attr: r.name,
          observedAt: r.t,
          value: r.num ?? (r.json === null ? null : JSON.parse(r.json)),
        });
    }
    return points;
  }

  async countFor(entityId: string): Promise<number> {
    const eid = this.entityId(entityId, false);
    if (eid === undefined) return 0;
    const row = this.db.prepare('SELECT count(*) AS n FROM series WHERE eid = ?').get(eid) as {
      n: number;
    };
    return row.n;
  }
}
