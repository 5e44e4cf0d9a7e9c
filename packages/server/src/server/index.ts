export { startNode, type RunningNode } from './node.js';
export { loadConfig, validateConfig, ConfigError } from './config.js';
export type { Config } from './config-schema.js';
