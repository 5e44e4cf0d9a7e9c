/** Positional parameters of one SQL statement; equal values share one placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  private readonly seen = new Map<string, number>();

  /** The placeholder of a value, cast to a SQL type (`$3::text`). */
  add(value: unknown, cast: string): string {
    const key = `${cast}\u0000${typeof value}\u0000${Array.isArray(value) ? JSON.stringify(value) : String(value)}`;
    let n = this.seen.get(key);
    if (n === undefined) {
      this.values.push(value);
      n = this.values.length;
      this.seen.set(key, n);
    }
    return `$${n}::${cast}`;
  }
}
