import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { DeviceEntity, KeyValuesEntity, Rule } from '../model.js';
import type { Me, Organisation } from '../sharing/sharing-model.js';
import type { CommandApi } from './command-api.js';

/** Where a task is dispatched from. */
export type DispatchOrigin =
  { kind: 'incident'; id: string; title: string } | { kind: 'alert'; id: string; title: string };

/** What every command screen reads and how it opens the others: given once by the view. */
export interface CommandEnv {
  api: CommandApi;
  /** The cockpit's client (entity history for evidence charts). */
  client: ApiClient;
  me: Me | undefined;
  organisations: ReadonlyMap<string, Organisation>;
  organisationList: readonly Organisation[];
  districts: readonly KeyValuesEntity[];
  /** Districts and communities by id. */
  places: ReadonlyMap<string, KeyValuesEntity>;
  devices: ReadonlyMap<string, DeviceEntity>;
  rules: ReadonlyMap<string, Rule>;
  now: number;
  openAlert: (id: string) => void;
  openTask: (id: string) => void;
  openIncident: (id: string) => void;
  dispatchFrom: (origin: DispatchOrigin) => void;
  /** Something changed on the server: incidents and tasks are loaded again. */
  changed: () => void;
}

/** The command view's environment. */
export const CommandContext = createContext<CommandEnv | undefined>(undefined);

/** The environment of the command view this component is drawn in. */
export function useCommandEnv(): CommandEnv {
  const env = useContext(CommandContext);
  if (!env) throw new Error('a command screen is drawn outside the command view');
  return env;
}
