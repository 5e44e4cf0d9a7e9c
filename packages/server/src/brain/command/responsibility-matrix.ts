import { Type, type Static } from 'typebox';
import { CityError } from '../../core/index.js';
import type { DocumentCollection } from '../../store/index.js';
import type { AlertRoute } from '../alerts/alert-raise.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });

/** One level of an escalation chain. */
export const EscalationStepSchema = Type.Object(
  {
    organisation: Name,
    acknowledgeWithinSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 30 * 86_400,
        description: 'escalate to the next level when not acknowledged within this time',
      }),
    ),
  },
  { additionalProperties: false },
);

/** One row of the responsibility matrix: who handles alerts of a category in an area. */
export const ResponsibilitySchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' }),
    category: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'the alert category, or * for any',
    }),
    subCategory: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'absent: any subCategory' }),
    ),
    area: Type.String({
      minLength: 1,
      maxLength: 500,
      description: "a district or community (id or areaServed slug) the alert is in, or '*'",
    }),
    chain: Type.Array(EscalationStepSchema, {
      minItems: 1,
      maxItems: 10,
      description: 'level 1, 2, 3 … organisations, in escalation order',
    }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

/** A row of the responsibility matrix. */
export type Responsibility = Static<typeof ResponsibilitySchema>;

/** What is being routed: an alert's category, subCategory and the areas it is in. */
export interface RoutingTarget {
  category: string;
  subCategory?: string;
  areas: readonly string[];
}

/** How specific a matching row is (area beats category beats subCategory); -1 when it does not match. */
function specificity(row: Responsibility, target: RoutingTarget): number {
  if (row.category !== '*' && row.category !== target.category) return -1;
  if (row.subCategory !== undefined && row.subCategory !== target.subCategory) return -1;
  if (row.area !== '*' && !target.areas.includes(row.area)) return -1;
  return (row.area !== '*' ? 4 : 0) + (row.category !== '*' ? 2 : 0) + (row.subCategory ? 1 : 0);
}

/** The most specific matching row (ties: the smallest id), or undefined. Pure. */
export function pickResponsibility(
  rows: readonly Responsibility[],
  target: RoutingTarget,
): Responsibility | undefined {
  let best: Responsibility | undefined;
  let bestScore = -1;
  for (const row of rows) {
    const score = specificity(row, target);
    if (score > bestScore || (score === bestScore && best && score >= 0 && row.id < best.id)) {
      best = row;
      bestScore = score;
    }
  }
  return bestScore < 0 ? undefined : best;
}

/** The responsibility matrix, kept in a document collection and configured over the API. */
export class ResponsibilityMatrix {
  constructor(private readonly rows: DocumentCollection<Responsibility>) {}

  /** Every row, by id. */
  async list(): Promise<Responsibility[]> {
    return (await this.rows.list()).map((r) => r.doc);
  }

  /** One row; 404 when absent. */
  async get(id: string): Promise<Responsibility> {
    const row = await this.rows.get(id);
    if (!row) throw new CityError('ResourceNotFound', `no responsibility ${id}`);
    return row;
  }

  /** Creates or replaces a row. */
  async put(row: Responsibility): Promise<void> {
    await this.rows.put(row.id, row);
  }

  /** Deletes a row; 404 when absent. */
  async delete(id: string): Promise<void> {
    if (!(await this.rows.delete(id)))
      throw new CityError('ResourceNotFound', `no responsibility ${id}`);
  }

  /** The row that routes a target, or undefined. */
  async match(target: RoutingTarget): Promise<Responsibility | undefined> {
    return pickResponsibility(await this.list(), target);
  }

  /** The route of a new alert: the matching row's escalation chain. */
  async route(target: RoutingTarget): Promise<AlertRoute | undefined> {
    const row = await this.match(target);
    return row && { entry: row.id, chain: row.chain.map((s) => ({ ...s })) };
  }
}
