import type { Logger } from 'pino';
import { Topics, type Bus } from '../../bus/index.js';
import { qLiteral, type Entity, type Property } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Rule } from '../rules/rule.js';
import type { Evidence } from '../rules/threshold-evaluator.js';

/** What raising an alert needs to know. */
export interface RaiseAlert {
  rule: Rule;
  source: Entity;
  since: number;
  at: number;
  evidence: Evidence[];
}

const iso = (t: number) => new Date(t).toISOString();
const prop = (value: unknown): Property => ({ type: 'Property', value });
const valueOf = (e: Entity, name: string): unknown => (e[name] as Property | undefined)?.value;

/** Texts of an alert in English and Chinese. */
function describe(input: RaiseAlert): { en: string; zh: string } {
  const { rule, source, since, at } = input;
  const minutes = Math.max(1, Math.round((at - since) / 60_000));
  const last = input.evidence.at(-1)?.value;
  const label = rule.attribute === 'pm25' ? 'PM2.5' : rule.attribute;
  const unit = rule.attribute === 'pm25' || rule.attribute === 'pm10' ? ' µg/m³' : '';
  const name = valueOf(source, 'name');
  const place = typeof name === 'string' ? name : source.id;
  return {
    en: `${label} ${rule.operator} ${rule.value}${unit} for ${minutes} min at ${place} (now ${last}${unit})`,
    zh: `${place} ${label} 持续 ${minutes} 分钟 ${rule.operator} ${rule.value}${unit}（当前 ${last}${unit}）`,
  };
}

/** Raises and resolves Alert entities (FIWARE Smart Data Models Alert) and announces them. */
export class AlertService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  /** Creates an Alert entity for a rule breach and publishes `alert.raised`. */
  async raise(input: RaiseAlert): Promise<Entity> {
    const { rule, source, since, at, evidence } = input;
    const local = source.id.split(':').pop() ?? source.id;
    const text = describe(input);
    const alert: Entity = {
      id: `urn:ngsi-ld:Alert:${rule.id}:${local}:${since}`,
      type: 'Alert',
      category: prop(rule.category),
      subCategory: prop(rule.subCategory),
      severity: prop(rule.severity),
      description: prop(text.en),
      descriptionZh: prop(text.zh),
      dateIssued: prop(iso(at)),
      validFrom: prop(iso(since)),
      status: prop('raised'),
      rule: prop(rule.id),
      evidence: prop(evidence.map((e) => ({ observedAt: iso(e.observedAt), value: e.value }))),
      alertSource: { type: 'Relationship', object: source.id },
    };
    for (const name of ['location', 'areaServed', 'refDistrict', 'refCommunity'])
      if (source[name] !== undefined) alert[name] = source[name];
    await this.store.entities.create(alert);
    this.logger.info({ alert: alert.id, rule: rule.id, source: source.id }, 'alert raised');
    await this.bus.publish([
      { topic: Topics.alertRaised, key: alert.id, time: at, payload: alert },
    ]);
    return alert;
  }

  /** Marks an open alert resolved and publishes `alert.updated`. */
  async resolve(alertId: string, at: number): Promise<void> {
    const alert = await this.store.entities.mergeAttributes(alertId, {
      status: prop('resolved'),
      validTo: prop(iso(at)),
    });
    this.logger.info({ alert: alertId }, 'alert resolved');
    await this.bus.publish([
      { topic: Topics.alertUpdated, key: alertId, time: at, payload: alert },
    ]);
  }

  /** Alerts, optionally of one status, newest issued first. */
  async list(status?: string): Promise<Entity[]> {
    const out: Entity[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.store.entities.query({
        types: { kind: 'type', name: 'Alert' },
        ...(status !== undefined && {
          q: {
            kind: 'compare',
            path: { attr: 'status', compound: [] },
            op: '==',
            operand: { kind: 'value', value: qLiteral(status) },
          },
        }),
        limit: 1000,
        offset,
      });
      out.push(...page.entities);
      if (page.entities.length < 1000) break;
    }
    // Alert ids end with the breach start, not the issue time: sort on dateIssued.
    const issued = (e: Entity) => {
      const value = (e.dateIssued as Property | undefined)?.value;
      return typeof value === 'string' ? value : '';
    };
    return out.sort((a, b) => issued(b).localeCompare(issued(a)));
  }

  /** Open alerts, for rebuilding rule state after a restart. */
  open(): Promise<Entity[]> {
    return this.list('raised');
  }
}
