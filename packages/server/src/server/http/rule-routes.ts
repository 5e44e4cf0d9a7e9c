import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import { parse as parseYaml } from 'yaml';
import {
  backtest,
  ruleProblems,
  RuleSchema,
  type Rule,
  type RuleProblem,
  type RuleStore,
} from '../../brain/index.js';
import { CityError } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { principalOf } from './auth.js';

const IdParams = Type.Object({ id: Type.String() });
const BacktestBody = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    rule: Type.Optional(RuleSchema),
  },
  { additionalProperties: false },
);

/**
 * Validates bodies as they are sent. Fastify's Ajv would strip properties while trying the
 * branches of the rules' union (`removeAdditional`), and then refuse a valid rule of a later
 * branch; its errors would list every kind's complaints. A rule is judged by its own kind.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const rulePath =
    route.schema === RuleSchema ? '' : route.schema === BacktestBody ? '/rule' : undefined;
  const typebox = TypeBoxValidatorCompiler(route);
  if (route.httpPart !== 'body' || rulePath === undefined) return typebox;
  return (value: unknown) => {
    const rule: unknown = rulePath === '' ? value : (value as { rule?: unknown } | null)?.rule;
    const problems: RuleProblem[] = rule === undefined && rulePath !== '' ? [] : ruleProblems(rule);
    if (problems.length === 0) return typebox(value);
    return {
      error: problems.map((p) => ({
        keyword: 'rule',
        instancePath: rulePath + p.instancePath,
        schemaPath: '#',
        params: {},
        message: p.message,
      })),
    };
  };
};

/** Who may change the city's rules: the operator, and administrators. */
function requireRuleEditor(request: FastifyRequest): string {
  const principal = principalOf(request);
  if (principal.kind !== 'operator' && !principal.roles.includes('admin'))
    throw new CityError('Forbidden', 'rules are changed by the operator or an administrator');
  return principal.organisation
    ? `${principal.subject}@${principal.organisation}`
    : principal.subject;
}

/** The version a request says it read (If-Match: "3" or 3). */
function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const version = Number(String(header).replace(/^W\//, '').replaceAll('"', ''));
  if (!Number.isInteger(version))
    throw new CityError('BadRequestData', 'If-Match must name a rule version, e.g. "3"');
  return version;
}

/**
 * `/api/v1/rules`: the city's rules as data (JSON, or YAML with Content-Type application/yaml),
 * validated, versioned (ETag / If-Match), and tried on the stored history before they are
 * switched on.
 */
export async function ruleRoutes(
  app: FastifyInstance,
  options: { rules: RuleStore; store: Store },
): Promise<void> {
  const { rules } = options;
  const tags = ['rules'];
  await app.register((scoped) => {
    scoped.setValidatorCompiler(validatorCompiler);
    // YAML bodies, in this scope only: they are validated against the same schema as JSON.
    scoped.addContentTypeParser(
      ['application/yaml', 'text/yaml', 'application/x-yaml'],
      { parseAs: 'string' },
      (_request, body, done) => {
        try {
          done(null, parseYaml(body as string));
        } catch (err) {
          done(
            new CityError('BadRequestData', `the YAML does not parse: ${(err as Error).message}`),
          );
        }
      },
    );
    scoped.get(
      '/api/v1/rules',
      { schema: { tags, summary: 'The rules, with their versions' } },
      async () =>
        (await rules.list()).map((s) => ({
          ...s.rule,
          version: s.version,
          updatedAt: s.updatedAt,
          updatedBy: s.updatedBy,
        })),
    );
    scoped.get<{ Params: Static<typeof IdParams> }>(
      '/api/v1/rules/:id',
      { schema: { tags, summary: 'A rule (ETag: its version)', params: IdParams } },
      async (request, reply) => {
        const stored = await rules.get(request.params.id);
        void reply.header('ETag', `"${stored.version}"`);
        return {
          ...stored.rule,
          version: stored.version,
          updatedAt: stored.updatedAt,
          updatedBy: stored.updatedBy,
        };
      },
    );
    scoped.put<{ Params: Static<typeof IdParams>; Body: Rule }>(
      '/api/v1/rules/:id',
      {
        schema: {
          tags,
          summary: 'Create or change a rule (a new version; If-Match: the version read)',
          params: IdParams,
          body: RuleSchema,
        },
      },
      async (request, reply) => {
        const by = requireRuleEditor(request);
        if (request.body.id !== request.params.id)
          throw new CityError('BadRequestData', 'the body id differs from the path');
        const stored = await rules.put(request.body, by, ifMatch(request));
        return reply
          .code(stored.version === 1 ? 201 : 200)
          .header('ETag', `"${stored.version}"`)
          .send({
            ...stored.rule,
            version: stored.version,
            updatedAt: stored.updatedAt,
            updatedBy: stored.updatedBy,
          });
      },
    );
    scoped.delete<{ Params: Static<typeof IdParams> }>(
      '/api/v1/rules/:id',
      { schema: { tags, summary: 'Delete a rule (its versions are kept)', params: IdParams } },
      async (request, reply) => {
        await rules.delete(request.params.id, requireRuleEditor(request));
        return reply.code(204).send();
      },
    );
    scoped.get<{ Params: Static<typeof IdParams> }>(
      '/api/v1/rules/:id/versions',
      { schema: { tags, summary: 'Every version of a rule, oldest first', params: IdParams } },
      async (request) => rules.versions(request.params.id),
    );
    scoped.post<{ Params: Static<typeof IdParams>; Body: Static<typeof BacktestBody> }>(
      '/api/v1/rules/:id/backtest',
      {
        schema: {
          tags,
          summary: 'What the rule would have raised over a past period',
          description:
            'Runs the stored rule (or the `rule` given, e.g. a draft) over the stored history of [from, to): the alerts it would have raised and cleared, with their evidence.',
          params: IdParams,
          body: BacktestBody,
        },
      },
      async (request) => {
        const rule = request.body.rule ?? (await rules.get(request.params.id)).rule;
        const from = Date.parse(request.body.from);
        const to = Date.parse(request.body.to);
        const result = await backtest(options.store, rule, from, to);
        return {
          rule: rule.id,
          from: request.body.from,
          to: request.body.to,
          facts: result.facts,
          entities: result.entities,
          alerts: result.signals.map((s) => ({
            kind: s.kind,
            key: s.key,
            at: new Date(s.at).toISOString(),
            ...(s.value !== undefined && { value: s.value }),
            evidence: s.evidence.map((e) => ({
              ...e,
              observedAt: new Date(e.observedAt).toISOString(),
            })),
          })),
        };
      },
    );
  });
}
