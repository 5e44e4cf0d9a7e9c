import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topicMatches } from '../memory/index.js';
import {
  decodeToken,
  encodeToken,
  eventSubject,
  groupConsumerName,
  partitionOf,
  subjectFilter,
  topicOfSubject,
} from './subjects.js';

/** How nats-server matches a filter against a subject (`*` one token, `>` the rest). */
function natsMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

const layout = { prefix: 'cb.test', partitions: 7 };
// Topics and patterns from a small alphabet, so that they often match and collide.
const token = fc.string({ unit: fc.constantFrom('a', 'b', '*', '>', ' ', ':', '%', 'é', '/') });
const tokens = fc.array(token, { minLength: 1, maxLength: 5 });
const topic = tokens.map((t) => t.join('.'));
const pattern = fc.oneof(
  topic,
  topic.map((t) => `${t}.*`),
  fc.constant('*'),
);
// Half of the time a pattern cut from the topic itself, so that deep matches are common.
const topicAndPattern = fc
  .tuple(tokens, pattern, fc.nat(5), fc.boolean())
  .map(([t, p, cut, derive]) => ({
    topic: t.join('.'),
    pattern: !derive ? p : cut >= t.length ? t.join('.') : `${t.slice(0, cut).join('.')}.*`,
  }));

describe('subject layout', () => {
  it('routes exactly the topics that topicMatches accepts, on every partition', () => {
    fc.assert(
      fc.property(topicAndPattern, fc.string(), ({ topic: t, pattern: p }, key) => {
        const subject = eventSubject(layout, t, key);
        expect(natsMatches(subjectFilter(layout, p), subject)).toBe(topicMatches(p, t));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives each key one partition, and a group consumer only its partition', () => {
    fc.assert(
      fc.property(pattern, fc.string(), (p, key) => {
        const subject = eventSubject(layout, p.replace(/\*$/, 'x'), key);
        const mine = partitionOf(key, layout.partitions);
        for (let part = 0; part < layout.partitions; part++)
          expect(natsMatches(subjectFilter(layout, '*', part), subject)).toBe(part === mine);
      }),
    );
  });

  it('escapes any token into a valid, reversible subject token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (t) => {
        const encoded = encodeToken(t);
        expect(encoded).toMatch(/^[A-Za-z0-9_%-]+$/);
        expect(decodeToken(encoded)).toBe(t);
      }),
    );
  });

  it('reads the topic back from a subject', () => {
    fc.assert(
      fc.property(topic, fc.string(), (t, key) => {
        expect(topicOfSubject(layout, eventSubject(layout, t, key))).toBe(t);
      }),
    );
    expect(topicOfSubject(layout, 'other.1.x')).toBeUndefined();
  });

  it('names group consumers readably and without collisions', () => {
    expect(groupConsumerName('rules', 'observation.accepted', 3)).toMatch(
      /^g_rules_observation-accepted_[0-9a-f]{12}_3$/,
    );
    expect(groupConsumerName('a b', 'x', 0)).not.toBe(groupConsumerName('a-b', 'x', 0));
  });
});
