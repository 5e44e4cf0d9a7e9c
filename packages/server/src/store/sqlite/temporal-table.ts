import type { Database } from 'better-sqlite3';
import { CityError } from '../../core/index.js';
import type { TemporalStore } from '../port.js';

function notYet(): never {
  throw new CityError('OperationNotSupported', 'the temporal history is being built');
}

/** The temporal history of attribute instances (placeholder until the temporal store lands). */
export class TemporalTable implements TemporalStore {
  constructor(private readonly db: Database) {}
  append = async (): Promise<void> => notYet();
  query = async (): Promise<never> => notYet();
  aggregate = async (): Promise<never> => notYet();
  deleteEntity = async (): Promise<number> => notYet();
  deleteAttribute = async (): Promise<number> => notYet();
  updateInstance = async (): Promise<boolean> => notYet();
  deleteInstance = async (): Promise<boolean> => notYet();
}
