import { describe, expect, it } from 'vitest';
import { en } from './i18n/en.js';
import { zh } from './i18n/zh.js';
import { relativeTime, translator } from './i18n.js';
import { CLASSIFICATIONS, PROHIBITIONS, PURPOSES } from './sharing/sharing-model.js';

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

  it('has the same keys in both languages, and Chinese text for the data-sharing screen', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const names = [
      ...PURPOSES.map((p) => `purpose.${p}`),
      ...PROHIBITIONS.map((p) => `prohibition.${p}`),
      ...CLASSIFICATIONS.map((c) => `class.${c}`),
    ];
    for (const key of names) {
      expect(en).toHaveProperty([key]);
      expect(zh[key as keyof typeof zh]).toMatch(/[\u4e00-\u9fff]/);
    }
    const sharing = Object.entries(zh).filter(([k]) => /^(share|phase|validity|duty)\./.test(k));
    for (const [key, text] of sharing) expect(text, key).toMatch(/[\u4e00-\u9fff]/);
  });

  it('has Chinese text for every command screen label, status and history entry', () => {
    const command = Object.entries(zh).filter(([k]) =>
      /^(cmd|astatus|istatus|tstatus|rstatus|rkind|prio|hist)\./.test(k),
    );
    expect(command.length).toBeGreaterThan(200);
    // A template of placeholders alone ("{area}{kind}") has no words of its own.
    const worded = command.filter(([, text]) => text.replace(/\{\w+\}/g, '').trim() !== '');
    expect(worded.length).toBe(command.length - 1);
    for (const [key, text] of worded) expect(text, key).toMatch(/[\u4e00-\u9fff]/);
    expect(zh['view.command']).toBe('指挥调度');
  });
});
