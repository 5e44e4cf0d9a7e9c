import { describe, expect, it } from 'vitest';
import { pickResponsibility, type Responsibility } from './responsibility-matrix.js';

const row = (id: string, category: string, area: string, subCategory?: string): Responsibility => ({
  id,
  category,
  area,
  ...(subCategory && { subCategory }),
  chain: [{ organisation: id }],
});

const rows = [
  row('any', '*', '*'),
  row('env', 'environment', '*'),
  row('env-air', 'environment', '*', 'airPollution'),
  row('env-xihu', 'environment', 'xihu'),
  row('env-lingyin', 'environment', 'urn:ngsi-ld:Community:lingyin'),
];

describe('pickResponsibility', () => {
  it('prefers an area-specific row over *, then category, then subCategory', () => {
    const pick = (category: string, areas: string[], subCategory?: string) =>
      pickResponsibility(rows, { category, areas, ...(subCategory && { subCategory }) })?.id;
    expect(pick('environment', ['xihu'], 'airPollution')).toBe('env-xihu');
    expect(pick('environment', ['gongshu'], 'airPollution')).toBe('env-air');
    expect(pick('environment', ['gongshu'], 'noise')).toBe('env');
    expect(pick('traffic', ['xihu'])).toBe('any');
    expect(pick('environment', ['urn:ngsi-ld:Community:lingyin'])).toBe('env-lingyin');
  });

  it('breaks ties by id and answers undefined when nothing matches', () => {
    const tied = [row('b', 'environment', 'xihu'), row('a', 'environment', 'xihu')];
    expect(pickResponsibility(tied, { category: 'environment', areas: ['xihu'] })?.id).toBe('a');
    expect(pickResponsibility(tied, { category: 'traffic', areas: ['xihu'] })).toBeUndefined();
  });
});
