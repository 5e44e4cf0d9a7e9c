import type { Bus } from '../bus/index.js';
import type { TenantStores } from '../store/index.js';
import type { AccessGuard } from './access.js';

/** What the NGSI-LD plugin needs. */
export interface NgsiLdOptions {
  /** The stores of every tenant; the default tenant is the node's main store. */
  tenants: TenantStores;
  /** Where changes are announced (`entity.changed`). */
  bus: Bus;
  /**
   * Local copies of remote @context documents, by URL (an operator's context cache): these
   * URLs are never fetched.
   */
  preloadedContexts?: Record<string, unknown>;
  /** May the broker fetch remote @contexts it does not hold? (default true) */
  fetchContexts?: boolean;
  /**
   * Bus consumer group of the subscription notifiers (default `ngsi-ld-notifications`): nodes
   * sharing a bus match each change once between them, so a subscriber gets one notification.
   */
  notifierGroup?: string;
  /** The sharing policy every read and write goes through; absent: everything is allowed. */
  access?: AccessGuard;
}
