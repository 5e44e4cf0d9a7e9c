/** An inclusive range of code points. */
export type CodeRange = readonly [number, number];

const MAX = 0x10ffff;
const SURROGATES: CodeRange = [0xd800, 0xdfff];
/** Where cb_units puts the surrogates (U+D800 → U+F0000). */
const UNIT_BASE = 0xf0000;

const esc = (cp: number): string =>
  cp > 0xffff
    ? `\\U${cp.toString(16).padStart(8, '0')}`
    : /[0-9A-Za-z]/.test(String.fromCharCode(cp))
      ? String.fromCharCode(cp)
      : `\\u${cp.toString(16).padStart(4, '0')}`;

/** A set of code points as sorted, disjoint, non-adjacent ranges (for regular expressions). */
export class CharSet {
  private constructor(readonly ranges: readonly CodeRange[]) {}

  /** The set of the given ranges (in any order, overlapping or not). */
  static of(...ranges: CodeRange[]): CharSet {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const [lo, hi] of sorted) {
      const last = out.at(-1);
      if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
      else out.push([lo, hi]);
    }
    return new CharSet(out);
  }

  union(other: CharSet): CharSet {
    return CharSet.of(...this.ranges, ...other.ranges);
  }

  /** Every other code point up to U+10FFFF. */
  complement(): CharSet {
    const out: CodeRange[] = [];
    let next = 0;
    for (const [lo, hi] of this.ranges) {
      if (lo > next) out.push([next, lo - 1]);
      next = hi + 1;
    }
    if (next <= MAX) out.push([next, MAX]);
    return new CharSet(out);
  }

  has(cp: number): boolean {
    return this.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
  }

  /** The one code point of a one-element set. */
  single(): number | undefined {
    const [r, more] = this.ranges;
    return r && !more && r[0] === r[1] ? r[0] : undefined;
  }

  /**
   * An ARE atom matching one UTF-16 code unit of the set, in the text `cb_units` makes of a
   * string: surrogates are the characters U+F0000–U+F07FF there, and nothing above U+FFFF
   * remains otherwise.
   */
  toRegex(): string {
    const ranges: CodeRange[] = [];
    const moved: CodeRange[] = [];
    for (const [lo, hi] of this.ranges) {
      const top = Math.min(hi, 0xffff);
      if (lo > top) continue;
      if (lo < SURROGATES[0]) ranges.push([lo, Math.min(top, SURROGATES[0] - 1)]);
      const a = Math.max(lo, SURROGATES[0]);
      const b = Math.min(top, SURROGATES[1]);
      if (a <= b) moved.push([a - SURROGATES[0] + UNIT_BASE, b - SURROGATES[0] + UNIT_BASE]);
      if (top > SURROGATES[1]) ranges.push([Math.max(lo, SURROGATES[1] + 1), top]);
    }
    ranges.push(...moved);
    // NUL never occurs in PostgreSQL text: an empty set matches nothing.
    if (ranges.length === 0) return '\\u0000';
    if (ranges.length === 1 && ranges[0]![0] === ranges[0]![1]) return esc(ranges[0]![0]);
    return `[${ranges.map(([lo, hi]) => (lo === hi ? esc(lo) : `${esc(lo)}-${esc(hi)}`)).join('')}]`;
  }
}

let canonical: Uint16Array | undefined;
let variants: Map<number, number[]> | undefined;

/** ECMAScript's Canonicalize (non-unicode, ignoreCase) of every UTF-16 code unit. */
function canonTable(): { canon: Uint16Array; byCanon: Map<number, number[]> } {
  if (!canonical || !variants) {
    canonical = new Uint16Array(0x10000);
    variants = new Map();
    for (let c = 0; c <= 0xffff; c++) {
      const upper = String.fromCharCode(c).toUpperCase();
      let k = c;
      if (upper.length === 1) {
        const u = upper.charCodeAt(0);
        if (!(c >= 128 && u < 128)) k = u;
      }
      canonical[c] = k;
      const list = variants.get(k);
      if (list) list.push(c);
      else variants.set(k, [c]);
    }
  }
  return { canon: canonical, byCanon: variants };
}

/**
 * The set with every code unit that an ignoreCase ECMAScript pattern treats as equal to one of
 * its members (same Canonicalize); characters above U+FFFF never fold.
 */
export function caseClosure(set: CharSet): CharSet {
  const { canon, byCanon } = canonTable();
  const keys = new Set<number>();
  for (const [lo, hi] of set.ranges)
    for (let c = lo; c <= Math.min(hi, 0xffff); c++) keys.add(canon[c]!);
  const extra: CodeRange[] = [];
  for (const k of keys) for (const c of byCanon.get(k) ?? []) extra.push([c, c]);
  return CharSet.of(...set.ranges, ...extra);
}
