import { CityError, type AttributeValue, type Entity } from '../core/index.js';
import type {
  AttributeInfo,
  EntityPage,
  EntityQuery,
  EntityStore,
  EntityWrite,
  EntityWriteResult,
  TypeInfo,
} from './port.js';

/**
 * The conveniences of `EntityStore` (create, mergeAttributes, delete, types), written once over
 * an adapter's `write` and `typeInfo`, so every adapter gives them the same errors.
 */
export abstract class EntityStoreBase implements EntityStore {
  abstract get(id: string): Promise<Entity | undefined>;
  abstract write(writes: readonly EntityWrite[]): Promise<EntityWriteResult[]>;
  abstract query(query: EntityQuery): Promise<EntityPage>;
  abstract typeInfo(): Promise<TypeInfo[]>;
  abstract attributeInfo(): Promise<AttributeInfo[]>;

  private async writeOne(id: string, mutate: EntityWrite['mutate']): Promise<EntityWriteResult> {
    const [result] = await this.write([{ id, mutate }]);
    if (result?.error) throw result.error;
    return result!;
  }

  async create(entity: Entity): Promise<void> {
    await this.writeOne(entity.id, (current) => {
      if (current) throw new CityError('AlreadyExists', `entity ${entity.id} already exists`);
      return entity;
    });
  }

  async mergeAttributes(id: string, attrs: Record<string, AttributeValue>): Promise<Entity> {
    const result = await this.writeOne(id, (current) => {
      if (!current) throw new CityError('ResourceNotFound', `entity ${id} not found`);
      return { ...current, ...attrs };
    });
    return result.after!;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.writeOne(id, (current) => (current ? null : undefined))).changed;
  }

  async types(): Promise<string[]> {
    return (await this.typeInfo()).map((t) => t.type);
  }
}
