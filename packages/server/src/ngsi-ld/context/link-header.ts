import { CityError } from '../../core/index.js';

/** One link of an RFC 8288 Link header. */
export interface Link {
  target: string;
  /** Lower-cased parameter names; values unquoted. */
  params: Record<string, string>;
}

const bad = (header: string, why: string): CityError =>
  new CityError('BadRequestData', `malformed Link header (${why}): ${header}`);

/** Parses an RFC 8288 Link header; throws BadRequestData when it is malformed. */
export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(header[i] ?? '')) i++;
  };
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    if (header[i] !== '<') throw bad(header, 'expected <URL>');
    const end = header.indexOf('>', i);
    if (end < 0) throw bad(header, 'unterminated <URL>');
    const link: Link = { target: header.slice(i + 1, end).trim(), params: {} };
    i = end + 1;
    for (;;) {
      skipSpace();
      if (i >= n || header[i] === ',') break;
      if (header[i] !== ';') throw bad(header, 'expected ";" before a parameter');
      i++;
      skipSpace();
      const name = /^[A-Za-z0-9!#$&+\-.^_`|~*]+/.exec(header.slice(i))?.[0];
      if (!name) throw bad(header, 'expected a parameter name');
      i += name.length;
      skipSpace();
      let value = '';
      if (header[i] === '=') {
        i++;
        skipSpace();
        if (header[i] === '"') {
          const close = header.indexOf('"', i + 1);
          if (close < 0) throw bad(header, 'unterminated quoted value');
          value = header.slice(i + 1, close);
          i = close + 1;
        } else {
          const token = /^[^;,\s]*/.exec(header.slice(i))?.[0] ?? '';
          value = token;
          i += token.length;
        }
      }
      link.params[name.toLowerCase()] = value;
    }
    links.push(link);
  }
  return links;
}

/** True when a link's rel names a JSON-LD context. */
export function isContextLink(link: Link, rel: string): boolean {
  return (link.params.rel ?? '').split(/\s+/).includes(rel);
}
