import type { Logger } from 'pino';
import type { AuditCheckpoint, AuditEntry, AuditStore } from '../../store/index.js';
import { linkHash } from './chain.js';
import type { AuditSigningKey } from './signing-key.js';

/** Options of the auditor. */
export interface AuditorOptions {
  store: AuditStore;
  key: AuditSigningKey;
  logger: Logger;
  /** A checkpoint after this many records appended by this node (default 1,000). */
  checkpointEvery?: number;
  /** And at least this often while records come (ms, default 60 s). */
  checkpointIntervalMs?: number;
}

interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Appends access decisions to the hash chain: what arrives while an append is in flight goes
 * in the next one (group commit), and each `record` resolves once its decision is durable,
 * so that an answer can wait for its evidence. Signs a checkpoint of the chain's head every
 * `checkpointEvery` records and every `checkpointIntervalMs`.
 */
export class Auditor {
  private pending: Pending[] = [];
  private appending: Promise<void> | undefined;
  private sinceCheckpoint = 0;
  private lastCheckpointAt = Date.now();
  private readonly every: number;
  private readonly intervalMs: number;

  constructor(private readonly options: AuditorOptions) {
    this.every = options.checkpointEvery ?? 1000;
    this.intervalMs = options.checkpointIntervalMs ?? 60_000;
  }

  /** Resolves once the decision is in the chain, durably; rejects if it could not be kept. */
  record(entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.appending ??= this.appendAll();
    });
  }

  /** Signs the chain's head now (nothing when the chain is empty). */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const head = await this.options.store.head();
    if (!head) return undefined;
    const checkpoint = this.options.key.sign({ ...head, at: Date.now() });
    await this.options.store.addCheckpoint(checkpoint);
    this.sinceCheckpoint = 0;
    this.lastCheckpointAt = checkpoint.at;
    return checkpoint;
  }

  /** Appends what is pending and signs a last checkpoint. */
  async close(): Promise<void> {
    while (this.appending) await this.appending;
    if (this.sinceCheckpoint > 0) await this.checkpoint();
  }

  private async appendAll(): Promise<void> {
    // Let the decisions of the same tick join the first append.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 5000);
      try {
        await this.options.store.append(
          batch.map((p) => p.entry),
          linkHash,
        );
      } catch (err) {
        this.options.logger.error({ err, records: batch.length }, 'audit records not kept');
        for (const p of batch) p.reject(err as Error);
        continue;
      }
      for (const p of batch) p.resolve();
      this.sinceCheckpoint += batch.length;
      if (
        this.sinceCheckpoint >= this.every ||
        Date.now() - this.lastCheckpointAt >= this.intervalMs
      )
        await this.checkpoint().catch((err: unknown) =>
          this.options.logger.error({ err }, 'audit checkpoint not signed'),
        );
    }
    this.appending = undefined;
  }
}
