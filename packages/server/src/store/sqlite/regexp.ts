import type { Database } from 'better-sqlite3';
import { CityError } from '../../core/index.js';
import { LruCache } from './lru-cache.js';

const compiled = new LruCache<string, RegExp>(256);

/** The ECMAScript regular expression of an idPattern; throws BadRequestData when invalid. */
export function compiledPattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    throw new CityError('BadRequestData', `invalid idPattern: ${(err as Error).message}`, {
      cause: err,
    });
  }
  compiled.set(pattern, re);
  return re;
}

/** Registers `X REGEXP Y` (ECMAScript syntax, unanchored like RegExp.test) on a connection. */
export function registerRegexp(db: Database): void {
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) =>
    typeof pattern === 'string' && typeof value === 'string' && compiledPattern(pattern).test(value)
      ? 1
      : 0,
  );
}
