export * from './grant.js';
export { GRANT_CHANGED, SHARING_CHANGED, SharingRegistry } from './sharing-registry.js';
