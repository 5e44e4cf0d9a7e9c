import type { Database } from 'better-sqlite3';
import type { Device, DeviceStore } from '../port.js';

interface Row {
  id: string;
  entity_id: string;
  entity_type: string;
  secret_hash: string;
  units: string;
  created_at: number;
}

const toDevice = (r: Row): Device => ({
  id: r.id,
  entityId: r.entity_id,
  entityType: r.entity_type,
  secretHash: r.secret_hash,
  units: JSON.parse(r.units) as Record<string, string>,
  createdAt: r.created_at,
});

/** The device registry table. */
export class DeviceTable implements DeviceStore {
  constructor(private readonly db: Database) {}

  async put(d: Device): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO devices (id, entity_id, entity_type, secret_hash, units, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(d.id, d.entityId, d.entityType, d.secretHash, JSON.stringify(d.units), d.createdAt);
  }

  async get(id: string): Promise<Device | undefined> {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    return row && toDevice(row);
  }

  async list(filter: { limit: number; offset: number }): Promise<Device[]> {
    const rows = this.db
      .prepare('SELECT * FROM devices ORDER BY id LIMIT ? OFFSET ?')
      .all(filter.limit, filter.offset) as Row[];
    return rows.map(toDevice);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }
}
