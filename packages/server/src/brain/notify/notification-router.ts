import type { Bus, BusEvent, BusSubscription } from '../../bus/index.js';
import type { NotificationMessage } from './channel.js';
import type { ChannelTargets } from './channel-targets.js';
import { renderMessage } from './render-message.js';
import type { NotificationTarget } from './target.js';
import { wants } from './target-filter.js';

/** The topics notifications are made of. */
export const NOTIFY_TOPICS = ['alert.*', 'incident.*', 'task.*'] as const;

/** The bus group of the routers: in scale-out, each event is routed by one node. */
export const NOTIFY_GROUP = 'notify';

/** Hands one message to one target. */
export type Dispatch = (target: NotificationTarget, message: NotificationMessage) => void;

/**
 * Routes one event: renders it once, then dispatches it to every enabled target that asked
 * for it, of the organisations it concerns and of the operator (`*`). Answers how many.
 */
export async function routeEvent(
  event: BusEvent,
  targets: Pick<ChannelTargets, 'concerning'>,
  dispatch: Dispatch,
): Promise<number> {
  const message = renderMessage(event);
  if (!message) return 0;
  let sent = 0;
  for (const target of await targets.concerning(message.organisations))
    if (wants(target, message)) {
      dispatch(target, message);
      sent++;
    }
  return sent;
}

/** Subscribes the router to alerts, incidents and tasks on the bus. */
export function subscribeRouter(
  bus: Bus,
  targets: Pick<ChannelTargets, 'concerning'>,
  dispatch: Dispatch,
): Promise<BusSubscription[]> {
  return Promise.all(
    NOTIFY_TOPICS.map((topic) =>
      bus.subscribe({ topic, group: NOTIFY_GROUP }, async (event) => {
        await routeEvent(event, targets, dispatch);
      }),
    ),
  );
}
