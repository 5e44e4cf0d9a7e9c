const MAX_PATTERN = 256;

/**
 * Checks a `~=` pattern and turns a leading `(?i)` into the `i` flag. The broker runs patterns on
 * every candidate entity, so it refuses those that are invalid or too long and, as a
 * conservative guard against catastrophic backtracking, repeated groups holding a quantifier
 * (`?` included) or an alternation, back-references, and more than three unbounded repetitions.
 */
export function checkPattern(
  text: string,
  fail: (why: string) => never,
): { pattern: string; flags: string } {
  let source = text;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  if (source.length > MAX_PATTERN) fail(`a pattern is limited to ${MAX_PATTERN} characters`);
  if (/\\[1-9]|\\k</.test(source)) fail('back-references are not allowed in a pattern');
  // Per open group: does it hold a quantifier, an alternation?
  const groups: { quantified: boolean; alternation: boolean }[] = [];
  let unbounded = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const bounded = c === '{' && /^\{\d+(,\d+)?\}/.test(source.slice(i));
    const optional = c === '?' && source[i - 1] !== '(';
    const quantifier =
      c === '*' ||
      c === '+' ||
      optional ||
      bounded ||
      (c === '{' && /^\{\d+,\}/.test(source.slice(i)));
    const top = groups.at(-1);
    if (quantifier && !bounded && !optional && ++unbounded > 3)
      fail('a pattern may repeat without bound (*, +, {n,}) at most 3 times');
    if (c === '\\') i++;
    else if (c === '[') {
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '(') groups.push({ quantified: false, alternation: false });
    else if (c === '|' && top) top.alternation = true;
    else if (c === ')') {
      const inner = groups.pop();
      const next = source[i + 1];
      if (inner && (next === '*' || next === '+' || next === '{')) {
        // (aa?)* and (a|aa)* backtrack exponentially, like (a+)+.
        if (inner.quantified) fail('nested quantifiers such as (a+)+ are not allowed in a pattern');
        if (inner.alternation)
          fail('a repeated group may not hold an alternation such as (a|ab)*; use a class [ab]');
      }
      const parent = groups.at(-1);
      if (parent && inner?.quantified) parent.quantified = true;
      if (parent && inner?.alternation) parent.alternation = true;
    } else if (quantifier && top) top.quantified = true;
  }
  try {
    new RegExp(source, flags);
  } catch (err) {
    fail(`invalid regular expression: ${(err as Error).message}`);
  }
  return { pattern: source, flags };
}
