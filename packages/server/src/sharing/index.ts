export * from './audit/index.js';
export * from './grants/index.js';
export * from './identity/index.js';
export * from './policy/index.js';
