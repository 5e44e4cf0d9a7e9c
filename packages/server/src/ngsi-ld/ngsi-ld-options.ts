import type { Bus } from '../bus/index.js';
import type { Store } from '../store/index.js';

/** What the NGSI-LD plugin needs: the store it reads and writes, the bus it announces changes on. */
export interface NgsiLdOptions {
  store: Store;
  bus: Bus;
}
