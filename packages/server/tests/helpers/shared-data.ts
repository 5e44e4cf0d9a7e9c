import { fileURLToPath } from 'node:url';

/**
 * The team's shared reference data (`../shared/data` beside the repository), by path; tests
 * that use it skip with a message where it is absent.
 */
export const SHARED_DATA = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));
