import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { AuditSigningKey, trustedKeys, verifyAuditChain } from '../sharing/index.js';
import { openStores } from './adapters.js';
import type { Config } from './config-schema.js';

/** Where a node's checkpoint key is. */
export function auditKeyFile(config: Config): string {
  return config.audit.keyFile ?? join(config.dataDir, 'audit-ed25519.pem');
}

/**
 * `citybrain audit verify`: checks the configured store's audit chain against the node's key
 * and the trusted keys; prints what it found and answers the exit code (0 intact, 1 not).
 */
export async function auditVerify(config: Config, extraKeys: readonly string[]): Promise<number> {
  const pems: string[] = [];
  const own = auditKeyFile(config);
  if (existsSync(own)) pems.push(AuditSigningKey.loadOrCreate(own).publicPem());
  for (const file of [...config.audit.trustedKeys, ...extraKeys])
    pems.push(readFileSync(file, 'utf8'));
  const keys = trustedKeys(pems);
  const { store, describe } = await openStores(config, pino({ level: 'silent' }));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    out(`audit chain of ${describe}; ${keys.size} trusted checkpoint key(s)`);
    let shown = 0;
    const result = await verifyAuditChain(store.audit, {
      keys,
      progress: (records) => {
        if (records - shown >= 100_000) {
          shown = records;
          process.stderr.write(`  ${records.toLocaleString('en')} records checked…\n`);
        }
      },
    });
    const checkpoints = `${result.checkpointsVerified} checkpoint(s) verified${
      result.checkpointsUnknownKey > 0
        ? `, ${result.checkpointsUnknownKey} signed by keys not trusted here (not checked)`
        : ''
    }`;
    if (result.ok) {
      out(
        `INTACT: ${result.records.toLocaleString('en')} records${
          result.head ? ` (head ${result.head.seq} ${result.head.hash.slice(0, 16)}…)` : ''
        }; ${checkpoints}`,
      );
      return 0;
    }
    const p = result.problem!;
    out(`TAMPERED: ${p.kind} at record ${p.seq}: ${p.detail}`);
    out(`  ${result.records.toLocaleString('en')} records verified before it; ${checkpoints}`);
    return 1;
  } finally {
    await store.close();
  }
}
