import { useState } from 'preact/hooks';

/** What the user is told after an action: what was done, or why it failed. */
export type ActionOutcome = { tone: 'ok'; text: string } | { tone: 'bad'; error: unknown };

/** One action at a time on a screen, with its outcome. */
export interface ActionRunner {
  /** The name of the action under way. */
  busy?: string;
  outcome?: ActionOutcome;
  /** Runs `work` as `name`; on success says `done(result)`. Resolves true when it succeeded. */
  run: <T>(name: string, work: () => Promise<T>, done: (result: T) => string) => Promise<boolean>;
  dismiss: () => void;
}

/** Runs the actions of one screen: busy while under way, then the outcome until the next. */
export function useAction(onSettled?: () => void): ActionRunner {
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<ActionOutcome>();
  return {
    busy,
    outcome,
    async run(name, work, done) {
      setBusy(name);
      setOutcome(undefined);
      try {
        setOutcome({ tone: 'ok', text: done(await work()) });
        return true;
      } catch (error) {
        setOutcome({ tone: 'bad', error });
        return false;
      } finally {
        setBusy(undefined);
        onSettled?.();
      }
    },
    dismiss: () => setOutcome(undefined),
  };
}
