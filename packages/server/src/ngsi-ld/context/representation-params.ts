import { CityError } from '../../core/index.js';
import type { LdContext } from './types.js';

/** The representation formats (clause 4.5). */
export type EntityFormatName = 'normalized' | 'keyValues' | 'concise';

/** The query parameters that shape a representation, as Fastify parsed them. */
export interface RenderQuery {
  options?: string | string[];
  format?: string | string[];
  attrs?: string | string[];
  pick?: string | string[];
  omit?: string | string[];
  lang?: string | string[];
  geometryProperty?: string | string[];
}

/** What the query says about a representation (names canonical). */
export interface RepresentationParams {
  format: EntityFormatName;
  sysAttrs: boolean;
  attrs?: string[];
  pick?: string[];
  omit?: string[];
  lang?: string;
  geometryProperty?: string;
}

const FORMATS: Record<string, EntityFormatName> = {
  normalized: 'normalized',
  keyValues: 'keyValues',
  simplified: 'keyValues',
  concise: 'concise',
};
const NAME = /^[^\s=;()"'<>,]{1,1024}$/;
const LANG = /^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)(\s*;\s*q=[01](\.\d{0,3})?)?$/;
const MEMBERS = new Set(['id', 'type', 'scope']);

const joined = (v: string | string[] | undefined): string | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v.join(',') : v;

function list(v: string | string[] | undefined, param: string): string[] | undefined {
  const s = joined(v);
  if (s === undefined) return undefined;
  const names = s.split(',').map((n) => n.trim());
  for (const n of names)
    if (!NAME.test(n))
      throw new CityError('BadRequestData', `${param} has an invalid name ${JSON.stringify(n)}`);
  return names;
}

/**
 * Parses `options` (keyValues, concise, normalized, sysAttrs, and `extraOptions` a route
 * accepts), `format`, `attrs`, `pick`, `omit`, `lang` and `geometryProperty`; names are
 * expanded with `ctx`. Throws BadRequestData on an unknown option, two formats at once, an
 * unknown format, `pick` with `omit`, or a malformed name or language.
 */
export function parseRepresentationParams(
  query: RenderQuery,
  ctx: LdContext,
  extraOptions: readonly string[] = [],
): RepresentationParams {
  if (
    query.options === undefined &&
    query.format === undefined &&
    query.attrs === undefined &&
    query.pick === undefined &&
    query.omit === undefined &&
    query.lang === undefined &&
    query.geometryProperty === undefined
  )
    return { format: 'normalized', sysAttrs: false };
  let format: EntityFormatName | undefined;
  let sysAttrs = false;
  for (const raw of (joined(query.options) ?? '').split(',')) {
    const opt = raw.trim();
    if (opt === '' || extraOptions.includes(opt)) continue;
    if (opt === 'sysAttrs') sysAttrs = true;
    else if (opt === 'keyValues' || opt === 'concise' || opt === 'normalized') {
      if (format !== undefined && format !== opt)
        throw new CityError('BadRequestData', `options asks for both ${format} and ${opt}`);
      format = opt;
    } else throw new CityError('BadRequestData', `unknown option ${JSON.stringify(opt)}`);
  }
  const formatParam = joined(query.format);
  if (formatParam !== undefined) {
    const f = FORMATS[formatParam];
    if (!f)
      throw new CityError(
        'BadRequestData',
        `format must be normalized, keyValues, simplified or concise, got ${formatParam}`,
      );
    format = f; // format takes precedence over options (clause 6.3.7)
  }
  if (query.pick !== undefined && query.omit !== undefined)
    throw new CityError('BadRequestData', 'pick and omit cannot be used together');
  const expand = (n: string) => (MEMBERS.has(n) ? n : ctx.expand(n));
  const out: RepresentationParams = { format: format ?? 'normalized', sysAttrs };
  const attrs = list(query.attrs, 'attrs');
  if (attrs) out.attrs = attrs.map((n) => ctx.expand(n));
  const pick = list(query.pick, 'pick');
  if (pick) out.pick = pick.map(expand);
  const omit = list(query.omit, 'omit');
  if (omit) out.omit = omit.map(expand);
  const lang = joined(query.lang);
  if (lang !== undefined) {
    if (!lang.split(',').every((p) => LANG.test(p.trim())))
      throw new CityError(
        'BadRequestData',
        `lang must be language tags like en or fr;q=0.5, got ${lang}`,
      );
    out.lang = lang;
  }
  const geo = list(query.geometryProperty, 'geometryProperty');
  if (geo) {
    if (geo.length !== 1 || geo[0] === undefined)
      throw new CityError('BadRequestData', 'geometryProperty names one attribute');
    out.geometryProperty = ctx.expand(geo[0]);
  }
  return out;
}
