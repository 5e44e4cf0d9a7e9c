export * from './grant.js';
export { GRANT_CHANGED, SharingRegistry } from './sharing-registry.js';
