import type { MessageKey, Translator } from '../i18n.js';
import type { Duty } from './sharing-model.js';
import type { ValidityNote } from './grant-phase.js';

const locale = (tr: Translator) => (tr.lang === 'zh' ? 'zh-CN' : 'en-GB');

/** A day (`1 Mar 2026`, `2026年3月1日`) from an ISO instant or epoch ms. */
export function formatDay(tr: Translator, at: string | number): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  return d.toLocaleDateString(locale(tr), { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A moment: the time alone today, the day and time otherwise. */
export function formatMoment(tr: Translator, at: string | number, now: number): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const time = d.toLocaleTimeString(locale(tr), { hour12: false });
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${d.toLocaleDateString(locale(tr), { month: 'short', day: 'numeric' })} ${time}`;
}

/** A duty in words: "Inform the owner of each access", "Delete after 30 days". */
export function dutyText(tr: Translator, duty: Duty): string {
  return duty.action === 'inform'
    ? tr.t('duty.inform')
    : tr.t(duty.afterDays === 1 ? 'duty.deleteDay' : 'duty.delete', { n: duty.afterDays });
}

/** The validity note in words, with its tone; undefined when there is nothing to say. */
export function validityText(
  tr: Translator,
  note: ValidityNote,
): { text: string; tone: 'ok' | 'warn' | 'dim' | 'accent' } | undefined {
  const say = (key: MessageKey, n?: number) => tr.t(key, n === undefined ? undefined : { n });
  switch (note.kind) {
    case 'none':
      return undefined;
    case 'expired':
      return { text: say('validity.expired'), tone: 'dim' };
    case 'expiresToday':
      return { text: say('validity.expiresToday'), tone: 'warn' };
    case 'expiresIn':
      return {
        text: note.days === 1 ? say('validity.expiresInDay') : say('validity.expiresIn', note.days),
        tone: note.days <= 7 ? 'warn' : 'ok',
      };
    case 'startsIn':
      return {
        text: note.days === 1 ? say('validity.startsInDay') : say('validity.startsIn', note.days),
        tone: 'accent',
      };
  }
}
