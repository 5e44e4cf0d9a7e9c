import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';

/**
 * Reads the operator's local copies of remote @context documents (`ngsiLd.contexts`: URL →
 * file), so that those URLs resolve without network access.
 */
export function loadContextFiles(files: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [url, file] of Object.entries(files)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `ngsiLd.contexts: cannot read ${file} for ${url}: ${(err as Error).message}`,
      );
    }
    try {
      out[url] = JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError(
        `ngsiLd.contexts: ${file} (for ${url}) is not JSON: ${(err as Error).message}`,
      );
    }
  }
  return out;
}
