/**
 * Which of the active rules this node evaluates. One node evaluates them all (`everyRule`);
 * nodes sharing a bus share them out by leases in the store (`RuleLeases`).
 */
export interface RuleOwnership {
  /** Starts taking part; `changed` is called whenever the rules held may have changed. */
  start(changed: () => void): Promise<void>;
  /** The active rules to share out (all nodes are told the same, through the store). */
  setRules(ids: readonly string[]): Promise<void>;
  /** True when this node evaluates the rule. */
  holds(ruleId: string): boolean;
  /**
   * True while this node may still act for the rule (raise, resolve): checked before each
   * decision is acted on, so that a node that lost a rule (paused past its lease) stays quiet.
   */
  mayAct(ruleId: string): boolean | Promise<boolean>;
  /** Stops taking part and gives the rules up at once, for another node to take. */
  stop(): Promise<void>;
}

/** The ownership of a node alone on its bus: every rule, for nothing. */
export function everyRule(): RuleOwnership {
  return {
    start: async () => {},
    setRules: async () => {},
    holds: () => true,
    mayAct: () => true,
    stop: async () => {},
  };
}
