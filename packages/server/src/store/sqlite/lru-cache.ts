/**
 * An approximately least-recently-used map in two generations (the quick-lru scheme): entries
 * live in `young` until it holds `capacity / 2`, then the whole young generation becomes the old
 * one and the previous old one is dropped; a hit in the old generation is moved back to young.
 * Unlike a Map evicted entry by entry from its front, every operation stays O(1) and
 * garbage-collector friendly under random access to millions of keys.
 */
export class LruCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  constructor(capacity: number) {
    this.generation = Math.max(0, Math.ceil(capacity / 2));
  }

  get(key: K): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) {
      this.old.delete(key);
      this.store(key, aged);
    }
    return aged;
  }

  set(key: K, value: V): void {
    if (this.generation === 0) return;
    this.old.delete(key);
    if (this.young.has(key)) this.young.set(key, value);
    else this.store(key, value);
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  private store(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
