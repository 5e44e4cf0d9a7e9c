import type { Logger } from 'pino';
import type { Bus } from '../bus/index.js';
import { ContextRegistry, LdContextResolver } from '../ngsi-ld/index.js';
import { AuditSigningKey, Auditor, ReadPolicy, SharingRegistry } from '../sharing/index.js';
import type { Store } from '../store/index.js';
import { auditKeyFile } from './audit-command.js';
import type { Config } from './config-schema.js';

/** The sharing services of a node: the registry of grants, the read policy, the auditor. */
export interface Sharing {
  registry: SharingRegistry;
  policy: ReadPolicy;
  auditor: Auditor;
  /** Stops listening, appends what is pending and signs a last checkpoint. */
  close(): Promise<void>;
}

/**
 * Starts the registry, the auditor (signing with the node's Ed25519 key, created on first
 * start) and the read policy, which reads datasets' @contexts as the NGSI-LD API does.
 */
export async function startSharing(
  config: Config,
  deps: { store: Store; bus: Bus; logger: Logger; preloadedContexts: Record<string, unknown> },
): Promise<Sharing> {
  const { store, bus, logger } = deps;
  const registry = new SharingRegistry(store, bus);
  const auditor = new Auditor({
    store: store.audit,
    key: AuditSigningKey.loadOrCreate(auditKeyFile(config)),
    logger: logger.child({ module: 'audit' }),
    checkpointEvery: config.audit.checkpointEvery,
    checkpointIntervalMs: config.audit.checkpointIntervalSeconds * 1000,
  });
  const contexts = new LdContextResolver({
    registry: new ContextRegistry({
      collection: store.collection('jsonldContexts'),
      preloaded: deps.preloadedContexts,
      fetchContexts: config.ngsiLd.fetchContexts,
    }),
  });
  const policy = new ReadPolicy({
    registry,
    bus,
    auditor,
    resolveNames: (context) => contexts.resolve(context),
  });
  await policy.start();
  return {
    registry,
    policy,
    auditor,
    close: async () => {
      await policy.stop();
      await auditor.close();
    },
  };
}
