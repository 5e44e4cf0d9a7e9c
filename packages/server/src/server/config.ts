import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './config-schema.js';

/** A configuration that cannot be used; the message names every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges `over` onto `base` (arrays replace). */
export function mergeConfig(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const current = out[k];
    out[k] = isTree(current) && isTree(v) ? mergeConfig(current, v) : v;
  }
  return out;
}

/** Reads a YAML or JSON config file. */
export function readConfigFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (!isTree(parsed)) throw new Error('the top level must be a mapping');
    return parsed;
  } catch (err) {
    throw new ConfigError(`config file ${file} is invalid: ${(err as Error).message}`);
  }
}

const camel = (s: string) =>
  s.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const ALIASES: Record<string, string> = {
  CITYBRAIN_PORT: 'http.port',
  CITYBRAIN_MQTT_PORT: 'mqtt.port',
  CITYBRAIN_DATA: 'dataDir',
  CITYBRAIN_ADMIN_TOKEN: 'auth.adminToken',
  CITYBRAIN_AUTH: 'auth.mode',
  CITYBRAIN_LOG_LEVEL: 'log.level',
  CITYBRAIN_STORE: 'store.url',
  CITYBRAIN_BUS: 'bus.url',
  CITYBRAIN_MQTT: 'mqtt.url',
  CITYBRAIN_NODE_ID: 'node.id',
};

/** True when the schema makes the setting at `path` (dotted) a list. */
function isList(path: string): boolean {
  let schema: { type?: unknown; properties?: Record<string, unknown> } | undefined = ConfigSchema;
  for (const key of path.split('.')) schema = schema?.properties?.[key] as typeof schema;
  return schema?.type === 'array';
}

/** A list setting given in the environment as a JSON array (`["10.0.0.0/8", "loopback"]`). */
function jsonList(name: string, raw: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`${name} is not a JSON array: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new ConfigError(`${name} is not a JSON array`);
  return value;
}

/** Settings from the environment: `CITYBRAIN_HTTP__PORT=8081` sets `http.port` (plus short aliases). */
export function configFromEnv(env: NodeJS.ProcessEnv): Tree {
  let out: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith('CITYBRAIN_') || name === 'CITYBRAIN_CONFIG')
      continue;
    if (name === 'CITYBRAIN_REQUIRE_SERVICES') continue;
    const path = ALIASES[name] ?? name.slice('CITYBRAIN_'.length).split('__').map(camel).join('.');
    let value: unknown = raw;
    if (/^(-?\d+(\.\d+)?|true|false)$/.test(raw)) value = JSON.parse(raw);
    else if (isList(path)) value = jsonList(name, raw);
    const leaf = path.split('.').reduceRight<unknown>((acc, key) => ({ [key]: acc }), value);
    out = mergeConfig(out, leaf as Tree);
  }
  return out;
}

/** Applies defaults and validates; throws ConfigError listing each bad key with what it must be. */
export function validateConfig(input: Tree): Config {
  const withDefaults = Value.Default(ConfigSchema, Value.Clone(input));
  const converted = Value.Convert(ConfigSchema, withDefaults);
  if (Value.Check(ConfigSchema, converted)) return converted;
  const problems = [...Value.Errors(ConfigSchema, converted)]
    .filter((e) => e.keyword !== 'boolean' && e.keyword !== 'anyOf')
    .map((e) => {
      const key = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
      const extra = (e.params as { additionalProperties?: string[] }).additionalProperties;
      if (extra) return `${key === '(top level)' ? '' : key + '.'}${extra.join(', ')}: unknown key`;
      return `${key}: ${e.message}`;
    });
  throw new ConfigError(`invalid configuration:\n  - ${[...new Set(problems)].join('\n  - ')}`);
}

/** Builds the configuration from defaults < file < environment < flags. */
export function loadConfig(options: {
  file?: string;
  env: NodeJS.ProcessEnv;
  flags: Tree;
}): Config {
  const file = options.file ?? options.env.CITYBRAIN_CONFIG;
  let tree: Tree = file ? readConfigFile(file) : {};
  tree = mergeConfig(tree, configFromEnv(options.env));
  tree = mergeConfig(tree, options.flags);
  return validateConfig(tree);
}
