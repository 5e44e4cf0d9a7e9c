import type { AlertSink, OpenAlert } from './alert-sink.js';
import type { Replayed } from './rule-replay.js';
import type { Rule } from './rule-schema.js';

/** The key of a rule's key in the engine's map of open alerts. */
export const openKey = (ruleId: string, key: string): string => `${ruleId}\u0000${key}`;

/** What a rebuilt rule needs to take its alerts up again. */
export interface ReconcileInput {
  rule: Rule;
  replayed: Replayed;
  /** The rule's open alerts in the store. */
  alerts: readonly OpenAlert[];
  sink: AlertSink;
  /** Why an alert whose condition no longer stands is resolved (its history shows it). */
  reason: string;
  /** The engine's open alert of each rule's key: filled in for this rule. */
  open: Map<string, string>;
}

/** What reconciling did. */
export interface Reconciled {
  /** Open alerts whose key stands raised: taken up again, quietly. */
  kept: number;
  /** Keys the replay could not decide (cut at the cap, a long silence): their alerts left as they are. */
  undecided: number;
  resolved: number;
  /** Keys standing raised without an open alert: raised (the store's dedup makes it once). */
  raised: number;
}

/**
 * Takes a rule's alerts up again after its state was rebuilt from the history: an open alert
 * of a key standing raised is the key's alert again (no new notification); one whose key no
 * longer stands is resolved with `reason`; a key standing raised without one raises it.
 */
export async function reconcile(input: ReconcileInput): Promise<Reconciled> {
  const { rule, replayed, sink, open } = input;
  const done: Reconciled = { kept: 0, undecided: 0, resolved: 0, raised: 0 };
  const alerted = new Set<string>();
  for (const alert of input.alerts) {
    alerted.add(alert.key);
    if (replayed.raised.has(alert.key)) done.kept++;
    else if (!replayed.known(alert.key)) done.undecided++;
    else {
      await sink.resolveUnseen(alert.alertId, input.reason);
      done.resolved++;
      continue;
    }
    open.set(openKey(rule.id, alert.key), alert.alertId);
  }
  for (const [key, signal] of replayed.raised) {
    if (alerted.has(key)) continue;
    if (!replayed.known(key)) {
      done.undecided++;
      continue;
    }
    open.set(openKey(rule.id, key), await sink.raise(rule, signal));
    done.raised++;
  }
  return done;
}
