export * from './errors.js';
export * from './geo.js';
export * from './entity.js';
export * from './observation.js';
export * from './q.js';
export * from './bearer.js';
