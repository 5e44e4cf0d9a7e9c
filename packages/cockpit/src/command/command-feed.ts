import type { CommandChange, CommandKind } from './command-model.js';

/** What the event stream hands the command view: a change, or "read everything again". */
export type CommandFeedEvent =
  | { type: 'change'; kind: CommandKind; change: CommandChange }
  /** The stream was down for a while: changes may have been missed. */
  | { type: 'resync' };

/** Carries incident and task changes from the cockpit's one event stream to the command view. */
export interface CommandFeed {
  publish(event: CommandFeedEvent): void;
  /** Listens until the returned function is called. */
  subscribe(listener: (event: CommandFeedEvent) => void): () => void;
}

/** A feed for one cockpit client (a new client, a new feed). */
export function createCommandFeed(): CommandFeed {
  const listeners = new Set<(event: CommandFeedEvent) => void>();
  return {
    publish(event) {
      for (const l of listeners) l(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
