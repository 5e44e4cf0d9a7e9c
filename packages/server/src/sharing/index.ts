export * from './audit/index.js';
export * from './identity/index.js';
