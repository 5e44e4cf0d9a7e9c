import { CityError, isUri } from '../core/index.js';
import type { LdContext } from './context/index.js';
import type { EntityView, Representation } from './entity-view.js';

/** Splits a comma-separated query parameter; undefined when absent or empty. */
export function splitList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

/** Checks that an entity id from a path or query is a URI, as NGSI-LD requires (400 otherwise). */
export function requireEntityId(id: string): string {
  if (!isUri(id))
    throw new CityError(
      'BadRequestData',
      `entity id ${JSON.stringify(id)} is not a URI, e.g. urn:ngsi-ld:Type:local-id`,
    );
  return id;
}

/**
 * The values of `options` (clause 6.3.7), each checked against what the route accepts:
 * an unknown value is 400 so that a client never silently gets what it did not ask for.
 */
export function parseOptions(raw: string | undefined, allowed: readonly string[]): Set<string> {
  const options = new Set(splitList(raw) ?? []);
  for (const option of options)
    if (!allowed.includes(option))
      throw new CityError(
        'BadRequestData',
        `options=${option} is not supported here; use ${allowed.join(', ')}`,
      );
  return options;
}

const FORMATS: Record<string, Representation> = {
  normalized: 'normalized',
  keyValues: 'keyValues',
  simplified: 'keyValues',
  concise: 'concise',
};

/** The `options` values of entity retrieval and query. */
export const VIEW_OPTIONS = ['normalized', 'keyValues', 'simplified', 'concise', 'sysAttrs'];

/** Query parameters that shape a rendered entity (clause 6.3.7, 4.21, 4.15). */
export interface ViewParams {
  attrs?: string;
  pick?: string;
  omit?: string;
  options?: string;
  format?: string;
  lang?: string;
}

/** Reads `format` (wins when given) and `options` into a representation. */
function representation(params: ViewParams, options: Set<string>): Representation {
  if (params.format !== undefined) {
    const chosen = FORMATS[params.format];
    if (!chosen)
      throw new CityError(
        'BadRequestData',
        `format=${params.format} is not supported; use normalized, concise, keyValues or simplified`,
      );
    return chosen;
  }
  if (options.has('keyValues') || options.has('simplified')) return 'keyValues';
  return options.has('concise') ? 'concise' : 'normalized';
}

/** Turns view parameters into an EntityView with canonical names. */
export function parseView(
  params: ViewParams,
  ctx: LdContext,
  allowedOptions: readonly string[] = VIEW_OPTIONS,
): EntityView {
  const options = parseOptions(params.options, allowedOptions);
  const view: EntityView = {
    representation: representation(params, options),
    sysAttrs: options.has('sysAttrs'),
  };
  const names = (raw: string | undefined) =>
    splitList(raw)?.map((n) => (n === 'id' || n === 'type' ? n : ctx.expand(n)));
  const attrs = names(params.attrs);
  const pick = names(params.pick);
  const omit = names(params.omit);
  if (pick && omit) throw new CityError('BadRequestData', 'pick and omit cannot be used together');
  if (attrs) view.attrs = attrs;
  if (pick) view.pick = pick;
  if (omit) view.omit = omit;
  if (params.lang !== undefined && params.lang !== '') view.lang = params.lang;
  return view;
}
