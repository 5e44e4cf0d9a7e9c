import { Type } from 'typebox';

/** The `limit` (1–1000, 100 by default) and `offset` query parameters of a list. */
export const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
/** The paging of a list's query, once validated (the defaults filled in). */
export type Paging = { limit: number; offset: number };

/** A page of a list, with the total in X-Total-Count. */
export function page<T>(
  items: T[],
  query: Paging,
  reply: { header(k: string, v: string): unknown },
): T[] {
  reply.header('X-Total-Count', String(items.length));
  return items.slice(query.offset, query.offset + query.limit);
}
