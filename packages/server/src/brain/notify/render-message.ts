import type { BusEvent } from '../../bus/index.js';
import type { NotificationMessage, Severity } from './channel.js';
import { asSeverity } from './target-filter.js';

/** The fields naming the organisations an event concerns. */
const PARTY_FIELDS = ['responsibleOrganisation', 'assignee', 'dispatcher'] as const;

const SEVERITY_ZH: Record<Severity, string> = {
  informational: '提示',
  low: '低级',
  medium: '中级',
  high: '高级',
  critical: '紧急',
};

const STATUS_ZH: Record<string, string> = {
  created: '已创建',
  updated: '已更新',
  raised: '已触发',
  acknowledged: '已确认',
  escalated: '已升级',
  resolved: '已解除',
  open: '待处理',
  assigned: '已分派',
  accepted: '已接收',
  inProgress: '处理中',
  'in-progress': '处理中',
  done: '已完成',
  completed: '已完成',
  closed: '已关闭',
  cancelled: '已取消',
  rejected: '已拒绝',
  overdue: '已超时',
};

const KIND = {
  alert: { type: 'Alert', en: 'alert', zh: '告警' },
  incident: { type: 'Incident', en: 'Incident', zh: '事件' },
  task: { type: 'Task', en: 'Task', zh: '任务' },
} as const;

/** A field of an entity (normalized: a Property's value, a Relationship's object) or a document. */
export function fieldOf(doc: unknown, name: string): unknown {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const raw = (doc as Record<string, unknown>)[name];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const attr = raw as { value?: unknown; object?: unknown };
  return 'value' in attr ? attr.value : 'object' in attr ? attr.object : raw;
}

const text = (doc: unknown, name: string): string | undefined => {
  const v = fieldOf(doc, name);
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
};

/** The organisations an event's payload concerns: responsible, assignee, dispatcher. */
export function organisationsOf(payload: unknown): string[] {
  const found = new Set<string>();
  for (const name of PARTY_FIELDS) {
    const v = fieldOf(payload, name);
    for (const org of Array.isArray(v) ? (v as unknown[]) : [v])
      if (typeof org === 'string' && org !== '') found.add(org);
  }
  return [...found];
}

const statusZh = (status: string) => STATUS_ZH[status] ?? status;
const lines = (entries: [string, string | undefined][]) =>
  entries.flatMap(([label, v]) => (v === undefined ? [] : [`${label}${v}`])).join('\n');

function renderAlert(event: BusEvent, alert: unknown): NotificationMessage {
  const id = text(alert, 'id') ?? event.key;
  const severity = asSeverity(fieldOf(alert, 'severity'));
  const status = text(alert, 'status') ?? event.topic.split('.')[1] ?? 'updated';
  const en = text(alert, 'description') ?? text(alert, 'descriptionZh') ?? id;
  const zh = text(alert, 'descriptionZh') ?? en;
  const sevEn = severity ? `${severity.toUpperCase()} ` : '';
  const sevZh = severity ? SEVERITY_ZH[severity] : '';
  const category = [text(alert, 'category'), text(alert, 'subCategory')].filter(Boolean).join('/');
  const area = text(alert, 'areaServed');
  const level = text(alert, 'escalationLevel');
  const title = {
    en: `${sevEn}alert ${status} — ${en}`,
    zh: `${sevZh}告警${statusZh(status)} — ${zh}`,
  };
  return {
    ...base(event, alert, { type: 'Alert', id }, severity, status),
    title,
    text: {
      en: [
        title.en,
        lines([
          ['Alert: ', id],
          ['Status: ', status],
          ['Severity: ', severity],
          ['Category: ', category || undefined],
          ['Area: ', area],
          ['Escalation level: ', level],
          ['Time: ', iso(event.time)],
        ]),
      ].join('\n'),
      zh: [
        title.zh,
        lines([
          ['告警：', id],
          ['状态：', statusZh(status)],
          ['级别：', severity && SEVERITY_ZH[severity]],
          ['类别：', category || undefined],
          ['区域：', area],
          ['升级级别：', level],
          ['时间：', iso(event.time)],
        ]),
      ].join('\n'),
    },
  };
}

function renderWork(event: BusEvent, doc: unknown, kind: 'incident' | 'task'): NotificationMessage {
  const names = KIND[kind];
  const id = text(doc, 'id') ?? event.key;
  const action = event.topic.split('.')[1] ?? 'updated';
  const status = text(doc, 'status');
  const shown = action === 'created' ? 'created' : (status ?? action);
  const severity = asSeverity(fieldOf(doc, 'severity'));
  const what = text(doc, 'title') ?? text(doc, 'name') ?? text(doc, 'description') ?? id;
  const whatZh = text(doc, 'titleZh') ?? text(doc, 'descriptionZh') ?? what;
  const title = {
    en: `${names.en} ${shown}: ${what}`,
    zh: `${names.zh}${statusZh(shown)}：${whatZh}`,
  };
  return {
    ...base(event, doc, { type: names.type, id }, severity, status),
    title,
    text: {
      en: [
        title.en,
        lines([
          [`${names.en}: `, id],
          ['Status: ', status],
          ['Severity: ', severity],
          ['Responsible: ', text(doc, 'responsibleOrganisation')],
          ['Assignee: ', text(doc, 'assignee')],
          ['Dispatcher: ', text(doc, 'dispatcher')],
          ['Time: ', iso(event.time)],
        ]),
      ].join('\n'),
      zh: [
        title.zh,
        lines([
          [`${names.zh}：`, id],
          ['状态：', status && statusZh(status)],
          ['级别：', severity && SEVERITY_ZH[severity]],
          ['责任单位：', text(doc, 'responsibleOrganisation')],
          ['承办单位：', text(doc, 'assignee')],
          ['派单单位：', text(doc, 'dispatcher')],
          ['时间：', iso(event.time)],
        ]),
      ].join('\n'),
    },
  };
}

const iso = (t: number) => new Date(t).toISOString();

function base(
  event: BusEvent,
  payload: unknown,
  subject: NotificationMessage['subject'],
  severity: Severity | undefined,
  status: string | undefined,
): Omit<NotificationMessage, 'title' | 'text'> {
  return {
    event: event.topic,
    time: iso(event.time),
    subject,
    ...(severity && { severity }),
    ...(status !== undefined && { status }),
    organisations: organisationsOf(payload),
    data: payload,
  };
}

/** The message of a bus event (`alert.*`, `incident.*`, `task.*`); undefined for other topics. */
export function renderMessage(event: BusEvent): NotificationMessage | undefined {
  const kind = event.topic.split('.')[0];
  if (kind === 'alert') return renderAlert(event, event.payload);
  if (kind === 'incident' || kind === 'task') return renderWork(event, event.payload, kind);
  return undefined;
}

/** The message `POST …/:id/test` sends. */
export function testMessage(organisation: string, now: number): NotificationMessage {
  return {
    event: 'notification.test',
    time: iso(now),
    subject: { type: 'Test', id: `test-${now}` },
    organisations: [organisation],
    title: { en: 'Test notification', zh: '测试通知' },
    text: {
      en: 'This is a test notification from citybrain: this channel works.',
      zh: '这是来自城市大脑的测试通知：此通知渠道工作正常。',
    },
    data: { test: true },
  };
}
