import { describe, expect, it } from 'vitest';
import { renderEmail } from './render-email.js';
import { organisationsOf, renderMessage } from './render-message.js';
import type { NotificationTarget } from './target.js';
import { alertEntity } from './testing/notify-fixtures.js';

const at = Date.parse('2026-03-01T08:30:00Z');

describe('renderMessage', () => {
  it('finds the organisations in properties, relationships, plain fields and lists', () => {
    expect(
      organisationsOf({
        responsibleOrganisation: { type: 'Relationship', object: 'env' },
        assignee: ['sanitation', 'env'],
        dispatcher: 'command',
      }),
    ).toEqual(['env', 'sanitation', 'command']);
    expect(
      organisationsOf({ responsibleOrganisation: { type: 'Property', value: 'env' } }),
    ).toEqual(['env']);
    expect(organisationsOf('nothing')).toEqual([]);
  });

  it('says a resolved alert is resolved, in both languages, with its escalation level', () => {
    const alert = {
      ...alertEntity('env', 'critical'),
      status: { type: 'Property', value: 'resolved' },
    };
    const message = renderMessage({
      topic: 'alert.updated',
      key: alert.id,
      time: at,
      payload: alert,
    })!;
    expect(message).toMatchObject({
      event: 'alert.updated',
      severity: 'critical',
      status: 'resolved',
    });
    expect(message.title.en).toBe(
      'CRITICAL alert resolved — PM2.5 > 75 µg/m³ for 3 min at Xihu station (now 160 µg/m³)',
    );
    expect(message.title.zh).toMatch(/^紧急告警已解除 — 西湖区监测站/);
    expect(message.text.en).toContain('Escalation level: 1');
    expect(message.text.zh).toContain('升级级别：1');
    expect(message.text.zh).toContain('区域：xihu');
    expect(message.time).toBe('2026-03-01T08:30:00.000Z');
  });

  it('renders incidents with their title and Chinese title, and their status', () => {
    const message = renderMessage({
      topic: 'incident.updated',
      key: 'i1',
      time: at,
      payload: {
        id: 'i1',
        status: 'inProgress',
        title: 'Blocked drain',
        titleZh: '下水道堵塞',
        severity: 'medium',
      },
    })!;
    expect(message.title).toEqual({
      en: 'Incident inProgress: Blocked drain',
      zh: '事件处理中：下水道堵塞',
    });
    expect(message.severity).toBe('medium');
  });
});

describe('renderEmail', () => {
  const target = {
    id: 't',
    organisation: 'env',
    kind: 'email',
    to: ['a@b.c'],
  } as NotificationTarget;
  it('keeps the subject on one line and short, and escapes HTML', () => {
    const message = renderMessage({
      topic: 'task.created',
      key: 't1',
      time: at,
      payload: { id: 't1', title: `<b>x</b>\r\nBcc: evil@x ${'long '.repeat(60)}` },
    })!;
    const mail = renderEmail({ id: 'd1', target, message });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect([...mail.subject]).toHaveLength(180);
    expect(mail.subject.endsWith('…')).toBe(true);
    expect(mail.html).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(mail.html).not.toContain('<b>x</b>');
    expect(mail.text).toContain('Delivery d1');
    expect(mail.text).toContain('投递编号 d1');
  });
});
