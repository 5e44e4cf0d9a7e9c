import { useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { Grant, GrantAction } from './sharing-model.js';

/** The outcome of the last action, shown above the grants (in the language of the moment). */
export type ActionMessage =
  { tone: 'ok'; action: GrantAction; grant: Grant } | { tone: 'bad'; error: unknown };

/** Approving, rejecting and revoking grants; a revoke waits for a confirmation. */
export interface GrantActions {
  /** The grant an action is under way on. */
  busy?: string;
  /** The grant whose revocation awaits a confirmation. */
  confirming?: Grant;
  message?: ActionMessage;
  ask: (grant: Grant, action: GrantAction) => void;
  confirm: () => void;
  cancel: () => void;
  dismiss: () => void;
}

/** Options of useGrantActions. */
export interface GrantActionsOptions {
  api: ApiClient;
  /** Called after each action, done or failed: the list is loaded again either way. */
  onChanged: () => void;
}

/** Runs the owner's actions on grants and keeps what the user should be told about them. */
export function useGrantActions({ api, onChanged }: GrantActionsOptions): GrantActions {
  const [busy, setBusy] = useState<string>();
  const [confirming, setConfirming] = useState<Grant>();
  const [message, setMessage] = useState<ActionMessage>();

  const run = async (grant: Grant, action: GrantAction): Promise<void> => {
    setBusy(grant.id);
    setMessage(undefined);
    try {
      setMessage({ tone: 'ok', action, grant: await api.changeGrant(grant.id, action) });
    } catch (error) {
      setMessage({ tone: 'bad', error });
    } finally {
      setBusy(undefined);
      onChanged();
    }
  };

  return {
    busy,
    confirming,
    message,
    ask(grant, action) {
      if (action === 'revoke') setConfirming(grant);
      else void run(grant, action);
    },
    confirm() {
      if (confirming) void run(confirming, 'revoke');
      setConfirming(undefined);
    },
    cancel: () => setConfirming(undefined),
    dismiss: () => setMessage(undefined),
  };
}
