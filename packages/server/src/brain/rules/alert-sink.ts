import { CityError, type Entity, type Property } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { AlertService } from '../alerts/alert-service.js';
import { SYSTEM } from '../command/actor.js';
import type { Signal } from './engine/evaluator.js';
import { plainValue } from './facts.js';
import type { Rule } from './rule-schema.js';

/** An open alert of a rule, as a rebuild of the rule's state finds it. */
export interface OpenAlert {
  alertId: string;
  ruleId: string;
  /** The rule's key it is about (an entity id, an area, `all`). */
  key: string;
}

/** Where the engine's decisions go: alerts opened, resolved, or withdrawn. */
export interface AlertSink {
  /** Opens the alert of a rule's key (or keeps the open one); answers its id. */
  raise(rule: Rule, signal: Signal): Promise<string>;
  /** The condition ended (`retracted`: a late fact showed it never held). */
  resolve(alertId: string, signal: Signal, retracted: boolean): Promise<void>;
  /** Every open alert raised by a rule (to take a rule's state up again after a restart). */
  openAlerts(): Promise<OpenAlert[]>;
  /**
   * Resolves an open alert whose condition the rebuilt state shows to have ended while no node
   * evaluated the rule, saying so (`reason`); nothing when it is no longer open.
   */
  resolveUnseen(alertId: string, reason: string): Promise<void>;
}

/** Attribute names as people read them. */
const LABELS: Record<string, string> = { pm25: 'PM2.5', pm10: 'PM10', no2: 'NO₂', o3: 'O₃' };
const label = (attr: string | undefined) => (attr ? (LABELS[attr] ?? attr) : 'count');
const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));
const fmt = (v: number | undefined) => (v === undefined ? '?' : String(Math.round(v * 100) / 100));

/** What a rule's alert says, in English and Chinese. */
export function describeSignal(
  rule: Rule,
  signal: Signal,
  place: string,
): { en: string; zh: string } {
  const now = fmt(signal.value);
  switch (rule.kind) {
    case 'threshold': {
      const m = minutes(rule.forSeconds ?? 0);
      const what = `${label(rule.attribute)} ${rule.operator} ${rule.value}`;
      return {
        en: `${what} for ${m} min at ${place} (now ${now})`,
        zh: `${place} ${label(rule.attribute)} 持续 ${m} 分钟 ${rule.operator} ${rule.value}（当前 ${now}）`,
      };
    }
    case 'aggregate': {
      const m = minutes(rule.window.sizeSeconds);
      const what = `${rule.function}(${label(rule.attribute)}) over ${m} min`;
      return {
        en: `${what} ${rule.operator} ${rule.value} at ${place} (${now})`,
        zh: `${place} ${m} 分钟 ${rule.function}(${label(rule.attribute)}) ${rule.operator} ${rule.value}（${now}）`,
      };
    }
    case 'rate':
      return {
        en: `${label(rule.attribute)} changing ${now} per ${rule.perSeconds ?? 60} s at ${place}`,
        zh: `${place} ${label(rule.attribute)} 每 ${rule.perSeconds ?? 60} 秒变化 ${now}`,
      };
    case 'absence':
      return {
        en: `${place} silent for ${minutes(rule.silentForSeconds)} min`,
        zh: `${place} 已 ${minutes(rule.silentForSeconds)} 分钟无数据`,
      };
    case 'geofence':
      return {
        en: `${place} ${signal.kind === 'raise' && (rule.on ?? 'enter') !== 'leave' ? 'entered' : 'left'} ${rule.name}`,
        zh: `${place}${signal.kind === 'raise' && (rule.on ?? 'enter') !== 'leave' ? '进入' : '离开'}${rule.name}`,
      };
    case 'countInArea':
      return {
        en: `${now} ${rule.select.entityType} in ${rule.name} (${rule.operator} ${rule.value})`,
        zh: `${rule.name}内 ${rule.select.entityType} 数量 ${now}（${rule.operator} ${rule.value}）`,
      };
    case 'correlation':
      return {
        en: `${rule.name} in ${place}: ${rule.conditions.map((c) => c.label ?? c.select.entityType).join(' and ')}`,
        zh: `${place}：${rule.name}`,
      };
  }
}

/** The entity an alert is about: the key's entity, or an area (a district, the city). */
async function sourceOf(store: Store, key: string): Promise<Entity> {
  if (key.startsWith('urn:')) {
    const entity = await store.entities.get(key);
    if (entity) return entity;
  }
  const area: Property = { type: 'Property', value: key };
  return key === 'all'
    ? { id: 'urn:ngsi-ld:City:all', type: 'City' }
    : { id: `urn:ngsi-ld:Area:${key}`, type: 'Area', areaServed: area };
}

/** The alert service as the rule engine's sink: raise per (rule, key), resolve, retract. */
export function alertSink(alerts: AlertService, store: Store): AlertSink {
  return {
    async raise(rule, signal) {
      const source = await sourceOf(store, signal.key);
      const name = (source.name as Property | undefined)?.value;
      const place = typeof name === 'string' ? name : signal.key;
      const since = signal.detail?.since;
      const alert = await alerts.raise({
        rule,
        source,
        key: signal.key,
        since: typeof since === 'number' ? since : signal.at,
        at: signal.at,
        evidence: signal.evidence,
        description: describeSignal(rule, signal, place),
      });
      return alert.id;
    },
    async resolve(alertId, signal) {
      await alerts.resolve(alertId, signal.at);
    },
    async openAlerts() {
      const out: OpenAlert[] = [];
      for (const alert of await alerts.open()) {
        const ruleId = plainValue(alert.rule);
        const key = plainValue(alert.sourceKey);
        if (typeof ruleId === 'string' && typeof key === 'string')
          out.push({ alertId: alert.id, ruleId, key });
      }
      return out;
    },
    async resolveUnseen(alertId, reason) {
      try {
        await alerts.act(alertId, { action: 'resolve', actor: SYSTEM, note: reason });
      } catch (err) {
        // Resolved or closed meanwhile (by a person, or another node): nothing left to do.
        if (!(err instanceof CityError && err.code === 'BadRequestData')) throw err;
      }
    },
  };
}
