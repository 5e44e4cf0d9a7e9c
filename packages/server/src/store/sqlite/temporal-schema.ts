/** Schema step 2 → 3: the temporal history of attribute instances. */
export const TEMPORAL_MIGRATION = `
  SELECT 1;
`;
