import { describe, expect, it } from 'vitest';
import { relativeTime, translator } from './i18n.js';

describe('i18n', () => {
  it('translates with placeholders in both languages', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(relativeTime(translator('en'), '2026-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(relativeTime(translator('zh'), '2026-01-01T11:57:00Z', now)).toBe('3 分钟前');
    expect(relativeTime(translator('zh'), '2026-01-01T11:59:58Z', now)).toBe('刚刚');
  });

  it('looks up dynamic names and falls back to a readable form', () => {
    expect(translator('zh').tx('kind', 'AirQualityObserved')).toBe('空气质量');
    expect(translator('en').tx('attr', 'someNewReading')).toBe('Some New Reading');
    expect(translator('zh').tx('value', 'mystery', 'mystery')).toBe('mystery');
  });
});
