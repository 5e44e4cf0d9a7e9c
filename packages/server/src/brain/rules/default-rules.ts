import type { ThresholdRule } from './rule-schema.js';

/** The rule a new city starts with: PM2.5 above 75 µg/m³ (China's grade II daily limit) for 2 minutes. */
export const PM25_HIGH_RULE: ThresholdRule = {
  id: 'pm25-high',
  kind: 'threshold',
  name: 'PM2.5 above 75 µg/m³ for 2 minutes',
  status: 'active',
  select: { entityType: 'AirQualityObserved' },
  attribute: 'pm25',
  operator: '>',
  value: 75,
  forSeconds: 120,
  clear: { operator: '<=', value: 60, forSeconds: 60 },
  severity: 'high',
  category: 'environment',
  subCategory: 'airPollution',
};
