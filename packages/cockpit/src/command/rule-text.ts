import { parse as parseYaml, parseDocument, stringify as toYaml } from 'yaml';

/** The languages a rule may be written in. */
export const RULE_FORMATS = ['json', 'yaml'] as const;
/** One of them. */
export type RuleFormat = (typeof RULE_FORMATS)[number];

/** A rule as the operator typed it: the server parses and validates it. */
export interface RuleText {
  format: RuleFormat;
  text: string;
}

/** The statuses of a rule: only active rules run. */
export const RULE_STATUSES = ['draft', 'active', 'paused'] as const;
/** One of them. */
export type RuleStatus = (typeof RULE_STATUSES)[number];

/** What the server adds to a rule when it lists it: not part of the rule, refused in a PUT. */
const STORED_FIELDS = new Set(['version', 'updatedAt', 'updatedBy']);

/** The rule's own fields, without the version the server keeps beside it. */
export function definitionOf(stored: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).filter(([k]) => !STORED_FIELDS.has(k)));
}

/** A rule's definition as editable text. */
export function ruleText(definition: Record<string, unknown>, format: RuleFormat): RuleText {
  return {
    format,
    text: format === 'json' ? `${JSON.stringify(definition, null, 2)}\n` : toYaml(definition),
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // not JSON (yet): the operator is typing
  }
}

/** The rule a text holds, when it parses to an object (JSON, or YAML with the `yaml` library). */
function readRule(t: RuleText): Record<string, unknown> | undefined {
  if (t.format === 'json') return parseJson(t.text);
  try {
    const v: unknown = parseYaml(t.text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The status the text gives its rule (absent means active); undefined when it cannot be read. */
export function statusOf(t: RuleText): string | undefined {
  const rule = readRule(t);
  if (!rule) return undefined;
  return typeof rule.status === 'string' ? rule.status : 'active';
}

/** The text with its rule's status changed; undefined when the JSON does not parse. */
export function withStatus(t: RuleText, status: RuleStatus): RuleText | undefined {
  if (t.format === 'json') {
    const rule = parseJson(t.text);
    return rule && { ...t, text: `${JSON.stringify({ ...rule, status }, null, 2)}\n` };
  }
  // The YAML document is edited in place: the author's comments and layout stay.
  const doc = parseDocument(t.text);
  if (doc.errors.length > 0) return undefined;
  doc.set('status', status);
  return { ...t, text: doc.toString() };
}

/** The text a definition was last shown or saved as: a YAML text still equal to it converts back. */
export interface RuleBase {
  definition: Record<string, unknown>;
  text: string;
}

/**
 * The text in the other format, when it can be read (or is still the text of `base`).
 */
export function convert(t: RuleText, format: RuleFormat, base?: RuleBase): RuleText | undefined {
  if (t.format === format) return t;
  const rule = readRule(t) ?? (base && base.text === t.text ? base.definition : undefined);
  return rule && ruleText(rule, format);
}

/**
 * The body of a backtest of a draft, in the draft's own language: the server parses YAML
 * bodies too, so a draft in YAML is nested under `rule:` as typed.
 */
export function backtestBody(period: { from: string; to: string }, draft: RuleText): string {
  const from = JSON.stringify(period.from);
  const to = JSON.stringify(period.to);
  if (draft.format === 'json') return `{"from":${from},"to":${to},"rule":\n${draft.text}\n}`;
  const lines = draft.text.replace(/^---[^\n]*\n/, '').split('\n');
  const rule = lines.map((l) => (l.trim() === '' ? '' : `  ${l}`)).join('\n');
  return `from: ${from}\nto: ${to}\nrule:\n${rule}\n`;
}
