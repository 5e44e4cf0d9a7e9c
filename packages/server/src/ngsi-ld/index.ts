export { ngsiLdPlugin } from './ngsi-ld-plugin.js';
export type { NgsiLdOptions } from './ngsi-ld-options.js';
