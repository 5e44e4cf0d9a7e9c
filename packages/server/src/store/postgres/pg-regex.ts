import { CityError } from '../../core/index.js';
import { CharSet, caseClosure } from './char-set.js';

const bad = (why: string): CityError =>
  new CityError('BadRequestData', `this pattern cannot run on PostgreSQL: ${why}`);

const DIGIT = CharSet.of([0x30, 0x39]);
const WORD = CharSet.of([0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]);
/** ECMAScript WhiteSpace and LineTerminator. */
const SPACE = CharSet.of(
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
);
const LINE_TERMINATORS = CharSet.of([0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]);
// ECMAScript \b and \B: word characters are ASCII only, where PostgreSQL's \y follows the locale.
const W = '[0-9A-Z_a-z]';
const WORD_BOUNDARY = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;
const NOT_WORD_BOUNDARY = `(?:(?<=${W})(?=${W})|(?<!${W})(?!${W}))`;
/** PostgreSQL's limit on a bound {m,n} (DUPMAX). */
const MAX_REPEAT = 255;

type Escape = { set: CharSet } | { sql: string };

const hex = (s: string, at: number, n: number): number | undefined => {
  const digits = s.slice(at, at + n);
  return digits.length === n && /^[0-9A-Fa-f]+$/.test(digits) ? parseInt(digits, 16) : undefined;
};

/**
 * Translates an ECMAScript regular expression (non-unicode mode, flags '' or 'i') into a
 * PostgreSQL ARE that matches the same strings: classes and escapes become explicit character
 * sets (\d, \w, \s and `.` as ECMAScript defines them, never the locale's), \b becomes
 * lookarounds, and `i` becomes case-closed sets under ECMAScript's case canonicalization. Throws
 * BadRequestData for what PostgreSQL cannot do: back-references, repetition counts above 255.
 * Like ECMAScript, the result reads strings by UTF-16 code unit: match it against `cb_units(s)`.
 */
export function toPgRegex(source: string, flags: string): string {
  try {
    new RegExp(source, flags);
  } catch (err) {
    throw new CityError('BadRequestData', `invalid pattern: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (flags !== '' && flags !== 'i') throw bad(`flags ${JSON.stringify(flags)} are not supported`);
  return new Translator(source, flags === 'i').run();
}

class Translator {
  private i = 0;
  private readonly named: boolean;
  /** Open groups: lookaheads, and where each starts in the output. */
  private readonly open: { look: boolean; start: number }[] = [];
  constructor(
    private readonly src: string,
    private readonly fold: boolean,
  ) {
    this.named = /\(\?<[A-Za-z_$]/.test(src);
  }

  run(): string {
    let out = '';
    const { src } = this;
    while (this.i < src.length) {
      const c = src[this.i]!;
      if (c === '\\') {
        const e = this.escape(false);
        out += 'sql' in e ? e.sql : this.emit(e.set);
      } else if (c === '[') out += this.emit(this.charClass());
      else if (c === '.') {
        this.i++;
        out += this.emit(LINE_TERMINATORS.complement());
      } else if (c === '(') {
        const look = /^\(\?[=!]/.test(src.slice(this.i));
        this.open.push({ look, start: out.length });
        out += this.group();
      } else if (c === ')') {
        this.i++;
        out += ')';
        const group = this.open.pop();
        // Annex B lets a lookahead be quantified: repeating it changes nothing, and a minimum
        // of 0 makes it optional, i.e. no test at all. PostgreSQL refuses the quantifier.
        const q = /^(?:[*+?]|\{(\d+)(?:,\d*)?\})\??/.exec(src.slice(this.i));
        if (group?.look && q) {
          this.i += q[0].length;
          const min = q[0][0] === '+' ? 1 : q[1] !== undefined ? Number(q[1]) : 0;
          if (min === 0) out = out.slice(0, group.start);
        }
      } else if (c === '{') out += this.brace();
      else if ('^$|*+?'.includes(c)) {
        this.i++;
        out += c;
      } else {
        // Code unit by code unit, as ECMAScript reads a non-unicode pattern.
        const cu = src.charCodeAt(this.i++);
        out += this.emit(CharSet.of([cu, cu]));
      }
    }
    return out;
  }

  private group(): string {
    const rest = this.src.slice(this.i);
    const special = /^\(\?(?::|=|!|<=|<!)/.exec(rest);
    if (special) {
      this.i += special[0].length;
      return special[0];
    }
    const named = /^\(\?<[^>]*>/.exec(rest);
    this.i += named ? named[0].length : 1;
    return '(';
  }

  private brace(): string {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
    if (!m) {
      this.i++;
      return this.emit(CharSet.of([0x7b, 0x7b]));
    }
    const counts = [m[1], m[3]].filter((n) => n !== undefined && n !== '').map(Number);
    if (counts.some((n) => n > MAX_REPEAT))
      throw bad(`a repetition count is limited to ${MAX_REPEAT}`);
    this.i += m[0].length;
    return m[0];
  }

  /** An escape at `\`; `inClass` for its meaning inside [...]. */
  private escape(inClass: boolean): Escape {
    const { src } = this;
    const c = src[this.i + 1];
    this.i += 2;
    const one = (cp: number): Escape => ({ set: CharSet.of([cp, cp]) });
    switch (c) {
      case undefined:
        throw bad('a pattern may not end with a backslash');
      case 'd':
        return { set: DIGIT };
      case 'D':
        return { set: DIGIT.complement() };
      case 'w':
        return { set: WORD };
      case 'W':
        return { set: WORD.complement() };
      case 's':
        return { set: SPACE };
      case 'S':
        return { set: SPACE.complement() };
      case 'b':
        return inClass ? one(0x08) : { sql: WORD_BOUNDARY };
      case 'B':
        return inClass ? one(0x42) : { sql: NOT_WORD_BOUNDARY };
      case 't':
        return one(0x09);
      case 'n':
        return one(0x0a);
      case 'v':
        return one(0x0b);
      case 'f':
        return one(0x0c);
      case 'r':
        return one(0x0d);
      case 'x': {
        const v = hex(src, this.i, 2);
        if (v === undefined) return one(0x78);
        this.i += 2;
        return one(v);
      }
      case 'u': {
        const v = hex(src, this.i, 4);
        if (v === undefined) return one(0x75);
        this.i += 4;
        return one(v);
      }
      case 'c': {
        const l = src[this.i];
        if (l !== undefined && (/[A-Za-z]/.test(l) || (inClass && /[0-9_]/.test(l)))) {
          this.i++;
          return one(l.charCodeAt(0) % 32);
        }
        this.i--; // a lone \c is a backslash; the c is read again as itself
        return one(0x5c);
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(src.slice(this.i))![0];
        const v = parseInt(`0${m}`, 8);
        if (v > 0o377) return one(0);
        this.i += m.length;
        return one(v);
      }
      case 'k':
        if (this.named) throw bad('back-references are not supported');
        return one(0x6b);
      default:
        if (/[1-9]/.test(c)) throw bad('back-references and octal escapes are not supported');
        return one(src.charCodeAt(this.i - 1));
    }
  }

  /** A [...] class at `[`, as a set (negated classes complemented). */
  private charClass(): CharSet {
    const { src } = this;
    this.i++;
    const negated = src[this.i] === '^';
    if (negated) this.i++;
    let set = CharSet.of();
    const atom = (): { set: CharSet; single?: number } => {
      if (src[this.i] === '\\') {
        const e = this.escape(true);
        if ('sql' in e) throw bad('an assertion inside [...]');
        const single = e.set.single();
        return single === undefined ? { set: e.set } : { set: e.set, single };
      }
      const cu = src.charCodeAt(this.i++);
      return { set: CharSet.of([cu, cu]), single: cu };
    };
    while (this.i < src.length && src[this.i] !== ']') {
      const a = atom();
      if (src[this.i] === '-' && src[this.i + 1] !== ']' && this.i + 1 < src.length) {
        const save = this.i;
        this.i++;
        const b = atom();
        if (a.single !== undefined && b.single !== undefined) {
          set = set.union(CharSet.of([a.single, b.single]));
          continue;
        }
        // Annex B: a class escape next to '-' makes the '-' a literal.
        this.i = save;
      }
      set = set.union(a.set);
    }
    this.i++; // ]
    if (this.fold) set = caseClosure(set);
    return negated ? set.complement() : set;
  }

  /** A set as an ARE atom, case-closed under `i`. */
  private emit(set: CharSet): string {
    return (this.fold ? caseClosure(set) : set).toRegex();
  }
}
