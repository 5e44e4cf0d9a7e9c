import type { ApiClient } from '../api.js';
import type { Alert, AlertComment } from '../model.js';
import type {
  AlertAction,
  AlertPage,
  AlertQuery,
  BacktestResult,
  BulkOutcome,
  DispatchRequest,
  Incident,
  IncidentPatch,
  PhotoRef,
  PhotoUpload,
  RuleVersion,
  StoredRule,
  Task,
  TaskAction,
} from './command-model.js';
import { backtestBody, type RuleText } from './rule-text.js';

/** Options of an alert action: a note for the history; the organisation to assign. */
export interface AlertActionOptions {
  note?: string;
  assignee?: string;
}

/** A past period, ISO instants. */
export interface Period {
  from: string;
  to: string;
}

/** Typed client of command and dispatch (`/api/v1/alerts|incidents|tasks|rules`). */
export interface CommandApi {
  /** Alerts matching the filters, newest first, with the total they match. */
  alerts(query: AlertQuery, limit: number): Promise<AlertPage<Alert>>;
  alert(id: string): Promise<Alert>;
  actOnAlert(id: string, action: AlertAction, options?: AlertActionOptions): Promise<Alert>;
  /** One action on many alerts; each id answers ok or with its problem. */
  bulk(action: AlertAction, ids: string[], options?: AlertActionOptions): Promise<BulkOutcome[]>;
  comment(id: string, text: string): Promise<AlertComment>;
  incidents(): Promise<Incident[]>;
  incident(id: string): Promise<Incident>;
  patchIncident(id: string, patch: IncidentPatch): Promise<Incident>;
  /** Moves alerts into an open incident. */
  mergeAlerts(id: string, alerts: string[]): Promise<Incident>;
  /** Tasks the caller sees, soonest due first; of one incident if given. */
  tasks(incident?: string): Promise<Task[]>;
  task(id: string): Promise<Task>;
  dispatch(request: DispatchRequest): Promise<Task>;
  actOnTask(id: string, action: TaskAction): Promise<Task>;
  uploadPhoto(id: string, upload: PhotoUpload): Promise<PhotoRef>;
  /** A task's photo, fetched with the token (an `<img>` cannot send it). */
  photo(url: string): Promise<Blob>;
  rules(): Promise<StoredRule[]>;
  rule(id: string): Promise<StoredRule>;
  /** Stores a rule as typed (JSON or YAML); `version` is the one read (If-Match). */
  saveRule(id: string, text: RuleText, version?: number): Promise<StoredRule>;
  ruleVersions(id: string): Promise<RuleVersion[]>;
  /** What the stored rule, or the draft given, would have raised over a past period. */
  backtest(id: string, period: Period, draft?: RuleText): Promise<BacktestResult>;
}

const CONTENT_TYPE = { json: 'application/json', yaml: 'application/yaml' } as const;

const path = (kind: string, id: string, rest = '') =>
  `/api/v1/${kind}/${encodeURIComponent(id)}${rest}`;

/** Builds the command client on the cockpit's API client. */
export function createCommandApi(api: ApiClient): CommandApi {
  const get = async <T>(p: string): Promise<T> => (await api.send(p)).body as T;
  const post = async <T>(p: string, body?: unknown): Promise<T> =>
    (await api.send(p, { method: 'POST', body: body ?? {} })).body as T;

  return {
    async alerts(query, limit) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (query.status.length > 0) q.set('status', query.status.join(','));
      if (query.severity.length > 0) q.set('severity', query.severity.join(','));
      if (query.category) q.set('category', query.category);
      if (query.area) q.set('area', query.area);
      const answer = await api.send(`/api/v1/alerts?${q}`);
      const items = Array.isArray(answer.body) ? (answer.body as Alert[]) : [];
      const total = Number(answer.headers.get('X-Total-Count'));
      return { items, total: Number.isFinite(total) && total > 0 ? total : items.length };
    },
    alert: (id) => get(path('alerts', id)),
    actOnAlert: (id, action, options) => post(path('alerts', id, `/${action}`), options),
    bulk: async (action, ids, options) =>
      (await post<{ results: BulkOutcome[] }>('/api/v1/alerts/bulk', { action, ids, ...options }))
        .results,
    comment: (id, text) => post(path('alerts', id, '/comments'), { text }),
    incidents: () => get('/api/v1/incidents?limit=1000'),
    incident: (id) => get(path('incidents', id)),
    patchIncident: async (id, patch) =>
      (await api.send(path('incidents', id), { method: 'PATCH', body: patch })).body as Incident,
    mergeAlerts: (id, alerts) => post(path('incidents', id, '/alerts'), { alerts }),
    tasks: (incident) =>
      get(`/api/v1/tasks?limit=1000${incident ? `&incident=${encodeURIComponent(incident)}` : ''}`),
    task: (id) => get(path('tasks', id)),
    dispatch: (request) => post('/api/v1/tasks', request),
    actOnTask: (id, { action, ...body }) => post(path('tasks', id, `/${action}`), body),
    uploadPhoto: (id, upload) => post(path('tasks', id, '/photos'), upload),
    photo: (url) => api.blob(url),
    rules: () => get('/api/v1/rules'),
    rule: (id) => get(path('rules', id)),
    async saveRule(id, text, version) {
      const answer = await api.send(path('rules', id), {
        method: 'PUT',
        text: { contentType: CONTENT_TYPE[text.format], body: text.text },
        ...(version !== undefined && { headers: { 'If-Match': `"${version}"` } }),
      });
      return answer.body as StoredRule;
    },
    ruleVersions: (id) => get(path('rules', id, '/versions')),
    async backtest(id, period, draft) {
      const answer = await api.send(path('rules', id, '/backtest'), {
        method: 'POST',
        text: draft
          ? { contentType: CONTENT_TYPE[draft.format], body: backtestBody(period, draft) }
          : { contentType: CONTENT_TYPE.json, body: JSON.stringify(period) },
      });
      return answer.body as BacktestResult;
    },
  };
}
