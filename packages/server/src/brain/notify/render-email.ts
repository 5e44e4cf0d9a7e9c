import type { Delivery } from './channel.js';

/** The longest subject, in characters; longer ones end with an ellipsis. */
const SUBJECT_MAX = 180;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Cuts at a character boundary (never inside a surrogate pair) and marks the cut. */
function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** The rendered e-mail of a delivery, English first, then Chinese. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** E.g. subject `[citybrain] HIGH alert raised — PM2.5 > 75 µg/m³ … / 高级告警已触发 — …`. */
export function renderEmail(delivery: Delivery): RenderedEmail {
  const { title, text } = delivery.message;
  const footer = {
    en: `Delivery ${delivery.id} · citybrain`,
    zh: `投递编号 ${delivery.id} · 城市大脑`,
  };
  const block = (lang: string, body: string, foot: string) =>
    `<div lang="${lang}"><p>${escapeHtml(body).replaceAll('\n', '<br>\n')}</p>` +
    `<p style="color:#666;font-size:small">${escapeHtml(foot)}</p></div>`;
  return {
    subject: cut(`[citybrain] ${title.en} / ${title.zh}`.replace(/[\r\n]+/g, ' '), SUBJECT_MAX),
    text: `${text.en}\n\n${footer.en}\n\n----\n\n${text.zh}\n\n${footer.zh}\n`,
    html:
      '<!doctype html><html><body>' +
      block('en', text.en, footer.en) +
      '<hr>' +
      block('zh-CN', text.zh, footer.zh) +
      '</body></html>',
  };
}
