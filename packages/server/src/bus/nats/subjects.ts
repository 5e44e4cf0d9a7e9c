import { createHash } from 'node:crypto';

/**
 * Where events live in the stream: `<prefix>.<partition>.<topic tokens>`. The partition comes
 * first so that a topic pattern stays one NATS filter (`<prefix>.*.a.>` for `a.*`) and a
 * group's partition is another (`<prefix>.3.a.>`). Keys never appear in a subject: they only
 * choose the partition.
 */
export interface SubjectLayout {
  /** Dotted prefix of every event subject, e.g. `citybrain`. */
  prefix: string;
  /** How many partitions a group's work is split into (the same on every node). */
  partitions: number;
}

const PLAIN = /[^A-Za-z0-9_-]/gu;

/**
 * Escapes one topic token into a valid NATS subject token: ASCII letters, digits, `_` and `-`
 * stay, anything else becomes `%XX` per UTF-8 byte, and the empty token becomes a lone `%`.
 * Distinct tokens stay distinct, and `*`, `>`, spaces never reach a subject.
 */
export function encodeToken(token: string): string {
  if (token === '') return '%';
  return token.replace(PLAIN, (ch) =>
    [...Buffer.from(ch, 'utf8')]
      .map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
      .join(''),
  );
}

/** The inverse of `encodeToken`. */
export function decodeToken(token: string): string {
  if (token === '%') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '%') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The partition of an ordering key (FNV-1a): one key, one partition, on every node. */
export function partitionOf(key: string, partitions: number): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) % partitions;
}

const encodeTopic = (topic: string) => topic.split('.').map(encodeToken).join('.');

/** The subject an event of `topic` with ordering key `key` is stored under. */
export function eventSubject(layout: SubjectLayout, topic: string, key: string): string {
  return `${layout.prefix}.${partitionOf(key, layout.partitions)}.${encodeTopic(topic)}`;
}

/**
 * The NATS filter for a topic pattern as `topicMatches` reads it: `*` is every topic, `a.*`
 * every topic under `a.` at any depth, anything else one exact topic. `partition` narrows it to
 * one partition (a group's consumer); without it, every partition (a broadcast subscriber).
 */
export function subjectFilter(layout: SubjectLayout, pattern: string, partition?: number): string {
  const topics =
    pattern === '*'
      ? '>'
      : pattern.endsWith('.*')
        ? `${encodeTopic(pattern.slice(0, -2))}.>`
        : encodeTopic(pattern);
  return `${layout.prefix}.${partition ?? '*'}.${topics}`;
}

/** The topic of an event subject, or undefined when the subject is not one of the layout's. */
export function topicOfSubject(layout: SubjectLayout, subject: string): string | undefined {
  const head = `${layout.prefix}.`;
  if (!subject.startsWith(head)) return undefined;
  const rest = subject.slice(head.length).split('.').slice(1);
  return rest.length === 0 ? undefined : rest.map(decodeToken).join('.');
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 24);

/**
 * The durable consumer of one partition of a group's subscription to a pattern. Readable for
 * operators (`nats consumer ls`), made unique by a hash of the exact group and pattern.
 */
export function groupConsumerName(group: string, pattern: string, partition: number): string {
  const hash = createHash('sha256').update(`${group}\n${pattern}`).digest('hex').slice(0, 12);
  return `g_${slug(group)}_${slug(pattern)}_${hash}_${partition}`;
}

/** The subject a group's dead letters are kept under (outside the event stream's subjects). */
export function deadLetterSubject(prefix: string, group: string): string {
  return `${prefix}-dead.${encodeToken(group)}`;
}

/** True when `prefix` can head subjects: dotted tokens without wildcards or spaces. */
export function isValidPrefix(prefix: string): boolean {
  return prefix.split('.').every((t) => /^[A-Za-z0-9_-]+$/.test(t));
}
