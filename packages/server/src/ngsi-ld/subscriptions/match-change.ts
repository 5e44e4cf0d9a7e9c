import { attributeNames, type Entity } from '../../core/index.js';
import type { EntityChange } from '../../bus/index.js';
import { compileSelector, selects, type CompiledSelector } from './entity-selector.js';
import { matchesFilters } from './query-filters.js';
import {
  effectiveTriggers,
  type NotificationTrigger,
  type StoredSubscription,
} from './subscription.js';

/** Attribute names a change created, updated and deleted. */
export interface AttributeDiff {
  created: string[];
  updated: string[];
  deleted: string[];
}

/** A subscription prepared for matching: selectors compiled, triggers expanded. */
export interface CompiledSubscription {
  doc: StoredSubscription;
  selectors?: CompiledSelector[];
  watched?: Set<string>;
  triggers: Set<NotificationTrigger>;
}

/** Why a change is notified, and which attributes it concerns. */
export interface ChangeMatch {
  trigger: NotificationTrigger;
  diff: AttributeDiff;
}

/** Prepares a stored subscription for matching. */
export function compileSubscription(doc: StoredSubscription): CompiledSubscription {
  const out: CompiledSubscription = { doc, triggers: effectiveTriggers(doc) };
  if (doc.entities) out.selectors = doc.entities.map(compileSelector);
  if (doc.watchedAttributes) out.watched = new Set(doc.watchedAttributes);
  return out;
}

/** Serializes with sorted keys so that equal attributes compare equal whatever their key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * What a change did to each attribute. An update without the previous state (ingest may
 * omit it) counts every attribute of the new state as updated.
 */
export function diffAttributes(change: EntityChange): AttributeDiff {
  const diff: AttributeDiff = { created: [], updated: [], deleted: [] };
  const { entity, previous } = change;
  if (change.kind === 'deleted') {
    diff.deleted = previous ? attributeNames(previous) : [];
    return diff;
  }
  if (!entity) return diff;
  if (change.kind === 'created') {
    diff.created = attributeNames(entity);
    return diff;
  }
  for (const name of attributeNames(entity)) {
    if (!previous || !(name in previous)) (previous ? diff.created : diff.updated).push(name);
    else if (canonicalJson(previous[name]) !== canonicalJson(entity[name])) diff.updated.push(name);
  }
  if (previous)
    for (const name of attributeNames(previous)) if (!(name in entity)) diff.deleted.push(name);
  return diff;
}

function firedTrigger(
  sub: CompiledSubscription,
  change: EntityChange,
  diff: AttributeDiff,
): NotificationTrigger | undefined {
  const t = sub.triggers;
  switch (change.kind) {
    case 'created':
      // A creation also creates each of the entity's attributes, so the default triggers
      // (attributeCreated, attributeUpdated) notify creations as well.
      if (t.has('entityCreated') && (!sub.watched || diff.created.length > 0))
        return 'entityCreated';
      return t.has('attributeCreated') && diff.created.length > 0 ? 'attributeCreated' : undefined;
    case 'updated':
      if (t.has('attributeUpdated') && diff.updated.length > 0) return 'attributeUpdated';
      if (t.has('attributeCreated') && diff.created.length > 0) return 'attributeCreated';
      if (t.has('attributeDeleted') && diff.deleted.length > 0) return 'attributeDeleted';
      return undefined;
    case 'deleted':
      if (!t.has('entityDeleted')) return undefined;
      return !sub.watched || !change.previous || diff.deleted.length > 0
        ? 'entityDeleted'
        : undefined;
  }
}

/**
 * Decides whether a change notifies a subscription (clause 5.11): entity selection, watched
 * attributes, notification triggers, then q / geoQ / scopeQ on the new state (on the last
 * known state for a deletion). Activity, expiry and throttling are the caller's concern.
 */
export function matchChange(
  sub: CompiledSubscription,
  change: EntityChange,
): ChangeMatch | undefined {
  if (sub.doc.timeInterval !== undefined) return undefined;
  const subject: Entity = change.entity ?? change.previous ?? { id: change.id, type: change.type };
  if (sub.selectors && !sub.selectors.some((s) => selects(s, subject))) return undefined;
  const all = diffAttributes(change);
  const keep = (names: string[]): string[] =>
    sub.watched ? names.filter((n) => sub.watched!.has(n)) : names;
  const diff = {
    created: keep(all.created),
    updated: keep(all.updated),
    deleted: keep(all.deleted),
  };
  const trigger = firedTrigger(sub, change, diff);
  if (!trigger) return undefined;
  const filtered = change.entity ?? change.previous;
  if (filtered && !matchesFilters(filtered, sub.doc.filters)) return undefined;
  return { trigger, diff };
}
