import { CityError } from '../../core/index.js';
import { ALL_ORGANISATIONS } from './target.js';

/** Who asks (a server Principal fits): the operator, or a member of an organisation with roles. */
export interface NotifyCaller {
  kind: 'operator' | 'user' | 'system';
  organisation?: string;
  roles: readonly string[];
}

/** Roles that may manage their organisation's notification channels. */
const MANAGER_ROLES = new Set(['admin', 'owner']);

/** True when the caller may see what goes to `organisation` (the operator sees all, `*` included). */
export function mayRead(caller: NotifyCaller, organisation: string): boolean {
  if (caller.kind === 'operator') return true;
  return organisation !== ALL_ORGANISATIONS && caller.organisation === organisation;
}

/** True when the caller may change `organisation`'s channels: the operator, or its admins and owners. */
export function mayManage(caller: NotifyCaller, organisation: string): boolean {
  if (caller.kind === 'operator') return true;
  return mayRead(caller, organisation) && caller.roles.some((r) => MANAGER_ROLES.has(r));
}

/** Throws Forbidden unless the caller may manage `organisation`'s channels. */
export function assertManage(caller: NotifyCaller, organisation: string): void {
  if (!mayManage(caller, organisation))
    throw new CityError(
      'Forbidden',
      organisation === ALL_ORGANISATIONS
        ? 'targets of every organisation (*) are the operator’s'
        : `managing the notification channels of ${organisation} needs the role admin or owner in it`,
    );
}
