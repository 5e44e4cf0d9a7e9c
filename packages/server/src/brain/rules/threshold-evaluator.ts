import { breaches, type ThresholdRule } from './rule.js';

/** One observation the evaluator saw, kept as evidence. */
export interface Evidence {
  observedAt: number;
  value: number;
}

/** What the evaluator decided for one observation. */
export type ThresholdDecision =
  | { kind: 'none' }
  | { kind: 'raise'; since: number; evidence: Evidence[] }
  | { kind: 'clear'; at: number; evidence: Evidence };

interface EntityState {
  lastSeen: number;
  breachSince?: number;
  evidence: Evidence[];
  raised: boolean;
}

const MAX_EVIDENCE = 20;

/**
 * Evaluates a threshold-with-duration rule per entity, by event time. Raises once when
 * the breach has lasted `forSeconds`, clears once when it ends. Observations older than
 * the newest one seen for the entity are ignored (late data handling comes with the
 * watermark-based engine).
 */
export class ThresholdEvaluator {
  private readonly states = new Map<string, EntityState>();

  constructor(readonly rule: ThresholdRule) {}

  /** Marks an entity as already having an open alert (after a restart). */
  restoreRaised(entityId: string, since: number): void {
    this.states.set(entityId, { lastSeen: since, breachSince: since, evidence: [], raised: true });
  }

  /** Feeds one observation of the rule's attribute. */
  observe(entityId: string, observedAt: number, value: number): ThresholdDecision {
    const state = this.states.get(entityId) ?? { lastSeen: -Infinity, evidence: [], raised: false };
    this.states.set(entityId, state);
    if (observedAt < state.lastSeen) return { kind: 'none' };
    state.lastSeen = observedAt;
    const sample = { observedAt, value };
    if (!breaches(this.rule, value)) {
      const wasRaised = state.raised;
      state.breachSince = undefined;
      state.evidence = [];
      state.raised = false;
      return wasRaised ? { kind: 'clear', at: observedAt, evidence: sample } : { kind: 'none' };
    }
    state.breachSince ??= observedAt;
    state.evidence.push(sample);
    if (state.evidence.length > MAX_EVIDENCE) state.evidence.shift();
    if (!state.raised && observedAt - state.breachSince >= this.rule.forSeconds * 1000) {
      state.raised = true;
      return { kind: 'raise', since: state.breachSince, evidence: [...state.evidence] };
    }
    return { kind: 'none' };
  }

  /** Entities tracked (for memory accounting). */
  get size(): number {
    return this.states.size;
  }
}
