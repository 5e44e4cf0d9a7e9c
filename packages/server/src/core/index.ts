export * from './errors.js';
export * from './geo.js';
export * from './entity.js';
export * from './observation.js';
export * from './q.js';
export * from './bearer.js';
export * from './scope-q.js';
export * from './geo-query.js';
