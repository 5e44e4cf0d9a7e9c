export { ngsiLdPlugin } from './ngsi-ld-plugin.js';
export type { NgsiLdOptions } from './ngsi-ld-options.js';
export {
  OPEN_ACCESS,
  type AccessGuard,
  type AccessView,
  type SubscriptionOwner,
  type TypeVisibility,
} from './access.js';
export { ContextRegistry, LdContextResolver } from './context/index.js';
